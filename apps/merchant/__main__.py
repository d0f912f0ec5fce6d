from apps.merchant.main import cli

cli()
