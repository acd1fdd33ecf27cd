// The PTuneNN module.
