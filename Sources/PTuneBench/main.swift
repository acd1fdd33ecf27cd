print("ptune-bench")
