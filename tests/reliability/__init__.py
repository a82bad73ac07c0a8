"""The reliability suite: faults, interruptions, bad input, stateful guards and load."""
