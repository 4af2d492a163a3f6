"""Sign-in with the district's account: OpenID Connect (Authlib) with the provider at PEERCOACH_OIDC_ISSUER.

The app finds the provider's endpoints and keys from the issuer (discovery) and uses
the authorization code flow with PKCE. The state, nonce and code verifier of a sign-in
in progress live in a signed cookie sent only to /oidc/ and kept FLOW_MINUTES; the
answer's state must match it, and the ID token is verified (signature by the provider's
published keys, issuer, audience, expiry, nonce). A person is let in when the provider
vouches for their email address (`email_verified`) and the program knows it: the same
check as for an emailed link (web/sign_in.py `known`). Everyone else still signs in by link.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx2
import structlog
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError
from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from joserfc.errors import JoseError
from starlette.middleware.sessions import SessionMiddleware

from web.frame import engine
from web.sign_in import known, sign_in_page
from workers.settings import Settings

router = APIRouter()
log = structlog.get_logger()

START = "/oidc/sign-in"
CALLBACK = "/oidc/callback"  # the redirect URI a district registers: {PEERCOACH_WEB_BASE_URL}/oidc/callback
FLOW_COOKIE = "peercoach_oidc"
FLOW_MINUTES = 10
# The names people know the big providers by, for "Sign in with …" (PEERCOACH_OIDC_PROVIDER_NAME overrides).
KNOWN_PROVIDERS = {"accounts.google.com": "Google", "login.microsoftonline.com": "Microsoft"}


class NotLetIn(Exception):
    """The provider's answer does not let this person in; the message says why, in words for them."""

    status_code = 403


class FlowBroken(NotLetIn):
    """The answer does not belong to a sign-in this browser started (state), or the provider said no."""

    status_code = 400


def provider_name(issuer: str) -> str:
    return KNOWN_PROVIDERS.get(urlsplit(issuer).hostname or "", "your district account")


def verified_email(claims: dict[str, Any], provider: str) -> str:
    """The address the provider vouches for, in the program's spelling (lower case)."""
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        raise NotLetIn(f"{provider} did not tell us your email address; ask your district's IT to let this app read it")
    # OpenID Connect's flag; Microsoft Entra sends none, and vouches for the address's domain with xms_edov instead.
    if claims.get("email_verified") not in (True, "true") and claims.get("xms_edov") not in (True, "true"):
        raise NotLetIn(
            f"{provider} has not verified that {email} is yours, so it cannot sign you in here;"
            " ask your district's IT, or use an emailed link below"
        )
    return email


class DistrictAccounts:
    """The district's OpenID provider, as this app's client there."""

    def __init__(self, settings: Settings):
        assert settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret  # checked whole by Settings
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.name = settings.oidc_provider_name or provider_name(self.issuer)
        self.redirect_uri = settings.web_url + CALLBACK  # from the configured address, never the request's Host
        self.client: Any = OAuth().register(
            "district",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value(),
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email", "code_challenge_method": "S256", "timeout": 10},
        )

    async def discover(self) -> dict[str, Any]:
        try:
            metadata: dict[str, Any] = await self.client.load_server_metadata()
        except (httpx2.HTTPError, ValueError) as err:
            log.error("the OpenID provider cannot be reached", issuer=self.issuer, problem=str(err))
            raise NotLetIn(f"{self.name} cannot be reached just now; try again in a minute, or use an emailed link below") from None
        if str(metadata.get("issuer", "")).rstrip("/") != self.issuer:  # a provider answers only for its own issuer
            log.error("the OpenID provider names another issuer", configured=self.issuer, discovered=metadata.get("issuer"))
            raise NotLetIn(f"{self.name} is not set up correctly here (its issuer is not PEERCOACH_OIDC_ISSUER); use an emailed link below")
        return metadata

    async def start(self, request: Request) -> Response:
        """Off to the provider, with a fresh state, nonce and PKCE challenge kept for the way back."""
        await self.discover()
        response: Response = await self.client.authorize_redirect(request, self.redirect_uri)
        return response

    async def finish(self, request: Request) -> str:
        """The verified email address of the person the provider sent back."""
        await self.discover()
        try:
            token = await self.client.authorize_access_token(request)
            claims = token.get("userinfo")  # the ID token's claims, verified; absent if the provider sent no ID token
            if claims is None:
                raise NotLetIn(f"{self.name} sent no ID token; ask your district's IT to allow the openid scope for this app")
            if "email" not in claims:  # some providers say it only at the userinfo endpoint
                told = await self.client.userinfo(token=token)
                if told.get("sub") != claims.get("sub"):
                    raise NotLetIn(f"{self.name} described someone else than the person who signed in; start again")
                claims = {**told, **claims}
        except MismatchingStateError:
            raise FlowBroken(
                f"this answer from {self.name} is not for a sign-in started in this browser in the last {FLOW_MINUTES} minutes; start again"
            ) from None
        except OAuthError as err:
            if err.error == "access_denied":
                raise FlowBroken(f"{self.name} did not sign you in ({err.description or 'you cancelled'}); start again") from None
            raise FlowBroken(f"{self.name} refused the sign-in ({err.error}: {err.description}); start again") from None
        except (AuthlibBaseError, JoseError) as err:  # the ID token did not verify: signature, issuer, audience, expiry or nonce
            log.warning("an ID token did not verify", issuer=self.issuer, problem=str(err))
            raise FlowBroken(f"{self.name}'s answer could not be verified ({err}); start again") from None
        except httpx2.HTTPError as err:
            log.error("the OpenID provider cannot be reached", issuer=self.issuer, problem=str(err))
            raise NotLetIn(f"{self.name} cannot be reached just now; try again in a minute, or use an emailed link below") from None
        return verified_email(dict(claims), self.name)


def install(app: FastAPI, settings: Settings, secret: str) -> None:
    """Offer the district's accounts if they are set up: the provider, and the cookie that carries a sign-in in progress."""
    app.state.district_accounts = DistrictAccounts(settings) if settings.oidc_issuer else None
    if app.state.district_accounts is not None:
        app.add_middleware(
            SessionMiddleware,
            secret_key=f"oidc:{secret}",
            session_cookie=FLOW_COOKIE,
            max_age=FLOW_MINUTES * 60,
            path="/oidc",
            same_site="lax",  # the provider's redirect back is a top-level GET: lax cookies come along
            https_only=settings.web_url.startswith("https://"),
        )


def _accounts(request: Request) -> DistrictAccounts:
    found: DistrictAccounts | None = request.app.state.district_accounts
    if found is None:
        raise HTTPException(404, "sign-in with the district's accounts is not set up here; use an emailed link")
    return found


@router.get(START, include_in_schema=False)
async def start(request: Request) -> Response:
    accounts = _accounts(request)
    try:
        return await accounts.start(request)
    except NotLetIn as refused:
        return sign_in_page(request, status_code=refused.status_code, problem=str(refused))


@router.get(CALLBACK, include_in_schema=False)
async def callback(request: Request) -> Response:
    accounts = _accounts(request)
    try:
        email = await accounts.finish(request)
    except NotLetIn as refused:
        log.info("sign-in with the district's account refused", problem=str(refused))
        return sign_in_page(request, status_code=refused.status_code, problem=str(refused))
    finally:
        request.session.clear()  # a flow's state is used once
    e = engine(request)
    if not await known(e, email):
        log.info("a district account in no running cohort tried to sign in", email=email)
        return sign_in_page(
            request,
            status_code=403,
            problem=f"{email} is not in any running cohort of the program; ask your coordinator to use this address in the roster",
        )
    request.state.new_session = await e.sessions.sign_in(email)  # a fresh session id: no fixation
    log.info("signed in with the district's account", email=email)
    return RedirectResponse("/", status_code=303)
