// The PTuneModels module.
