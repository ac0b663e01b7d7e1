from testgrade.cli import main

main()
