"""The program's real record, shipped with the project and loaded by `manage.py load_program`."""
