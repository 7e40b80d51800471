"""What generated services import at run time. Imports nothing from the generator."""
