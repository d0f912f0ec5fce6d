"""Entry point of the packaged kitchen tablet app (copied to build/merchant/src/main.py by stage.sh).

The server URL comes from MEALKITZ_SERVER (set at build time in build/merchant/server.txt, overridable on the
device); the tablet's store lives in the app's private storage (FLET_APP_STORAGE_DATA on Flet 1.0 builds).
"""
import os
from pathlib import Path

import flet as ft

from apps.merchant.main import tablet_main

HERE = Path(__file__).resolve().parent
server = os.environ.get("MEALKITZ_SERVER") or (HERE / "server.txt").read_text().strip()
data_dir = Path(os.environ.get("FLET_APP_STORAGE_DATA") or HERE / "data") / "tablet"
ft.run(tablet_main(server, data_dir))
