// The PTuneLang module.
