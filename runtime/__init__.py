"""Code that runs inside the Rasa server: stores configured from the environment."""
