"""What the tests share: paths, settings, fakes of outside services, and helpers to run real servers and processes.

Test modules import from here (or get fixtures from a conftest.py), never from another test module.
"""
