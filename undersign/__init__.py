"""undersign: open letters, their signatures, and the people ready to work together."""
