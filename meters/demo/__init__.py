"""The demo data set: `generate.generate_demo` builds it, `load.load_demo` writes it."""
