"""`peercoach simulate`: a whole program year played on a virtual clock by the program's own processes, people played by a seeded model."""
