// The PTuneREPL module.
