"""The built-in form plugins. Each loads through its entry point, like any third-party plugin."""
