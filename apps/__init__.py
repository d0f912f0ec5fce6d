"""The apps: a UI-free shared runtime (apps.client) and the Flet/Kivy apps built on it."""
