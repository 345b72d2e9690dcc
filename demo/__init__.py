"""The demo seeds' spreadsheets and the script that builds them (demo/build.py)."""
