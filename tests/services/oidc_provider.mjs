// A real OpenID provider for the sign-in tests: oidc-provider (certified), on 127.0.0.1 with one client.
//
//   node tests/services/oidc_provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// It prints "listening on ISSUER" once it serves. Its development login form takes any login
// and password: the login is the person's email address, verified by the provider unless the
// login starts with "unverified:". Consent is the second form, one button.
const { default: Provider } = await import(new URL('./node/node_modules/oidc-provider/lib/index.js', import.meta.url));

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!redirectUri) {
  console.error('usage: node oidc_provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI');
  process.exit(2);
}
const UNVERIFIED = 'unverified:';

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  async findAccount(ctx, id) {
    const unverified = id.startsWith(UNVERIFIED);
    const email = unverified ? id.slice(UNVERIFIED.length) : id;
    return { accountId: id, async claims() { return { sub: id, email, email_verified: !unverified }; } };
  },
  cookies: { keys: ['only for the sign-in tests'] },
  features: { devInteractions: { enabled: true } },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const server = provider.listen(Number(port), '127.0.0.1', () => console.log(`listening on ${provider.issuer}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
