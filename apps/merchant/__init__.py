"""The merchant (kitchen tablet) app: Flet 1.0 views over pure state objects that use apps/client.

    python -m apps.merchant --server http://127.0.0.1:8000 --port 8550 --data-dir ./data/tablet
"""
