import ArgumentParser
import PTuneNN

/// `--kv-cache float32|float16`.
extension KVCacheElement: ExpressibleByArgument {}
