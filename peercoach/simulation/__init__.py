"""`peercoach simulate`: a whole program year on the time-skipping server, people played by a seeded model."""
