from testgrade.cli import run

run()
