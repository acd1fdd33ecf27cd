#!/usr/bin/env python3
"""Writes the bad-input corpus (scripts and data files) beside this file. Deterministic; rerun after editing.

Each .pt script must fail: the test runs `ptune FILE.pt` (with the options of a `# args:` line) and asserts a
non-zero exit, a `file:line:col: error:` on stderr, and no death by signal. Each data file is opened by the
builtin for its kind (see BadInputTests.swift) and must fail the same way, naming the file.
"""
import json, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


scripts = {
    # --- syntax -----------------------------------------------------------------------------------------------
    "syntax_unclosed_paren": "print (1 + 2\n",
    "syntax_unclosed_bracket": "let x = [1, 2\n",
    "syntax_unclosed_brace": "fn f() {\n  return 1\n",
    "syntax_unmatched_close": "}\nprint 1)\n",
    "syntax_unterminated_string": 'let s = "no end\n',
    "syntax_bad_escape": 'let s = "bad \\q escape"\n',
    "syntax_stray_character": "let x = 3 $ 4\n",
    "syntax_keyword_as_name": "let for = 3\n",
    "syntax_trailing_operator": "let x = 1 +\n",
    "syntax_chained_comparison": "print 1 < 2 < 3\n",
    "syntax_positional_after_named": "print zeros(n: 2, 3)\n",
    "syntax_number_out_of_range": "let x = 1e999999\n",
    "syntax_two_dots_number": "let x = 1.2.3\n",
    "syntax_missing_terminator": "let a = 1 let b = 2\n",
    "syntax_dim_without_name": "dim = 3\n",
    "syntax_train_without_block": "param w = zeros(2)\ndata d = dataset(x: ones(4, 2))\ntrain w on d\n",
    "syntax_lone_else": "else { print 1 }\n",
    "syntax_only_operators": "+ - * / @ ** ==\n",
    "syntax_many_errors": "let = 1\nprint (\nlet y = ]\nfn (x) = 2\nwhile { }\n",
    "syntax_deep_parens": "print " + "(" * 5000 + "1" + ")" * 5000 + "\n",
    "syntax_deep_brackets": "let x = " + "[" * 5000 + "1" + "]" * 5000 + "\n",
    "syntax_deep_blocks": "if true { " * 3000 + "print 1" + " }" * 3000 + "\n",
    "syntax_deep_unary": "print " + "-" * 20000 + "1\n",
    "syntax_deep_not": "print " + "not " * 20000 + "true\n",
    "syntax_long_sum_chain": "let x = " + " + ".join(["1"] * 20000) + "\n",
    "syntax_long_call_chain": "fn f() = 1\nprint f" + "()" * 20000 + "\n",
    "syntax_long_index_chain": "let x = [1]\nprint x" + "[0]" * 20000 + "\n",
    "syntax_long_member_chain": "let x = ones(2)\nprint x" + ".shape" * 20000 + "\n",
    "syntax_long_else_if_chain": "let x = 1\n" + "if x == 0 { print 0 } else " * 5000 + "{ print 1 }\n",
    "syntax_long_string_concat": "let s = " + " + ".join(['"a"'] * 5000) + "\n",
    # --- names, kinds, shapes, dtypes (checked before running) --------------------------------------------------
    "check_unknown_name": "let total = 3\nprint totl + 1\n",
    "check_unknown_function": "print zeroes(3)\n",
    "check_unknown_named_argument": "print randn(2, 3, dtyp: \"float64\")\n",
    "check_missing_argument": "print one_hot()\n",
    "check_too_many_arguments": "print len([1], [2], [3])\n",
    "check_string_plus_tensor": "print ones(2) + \"a\"\n",
    "check_call_a_number": "let n = 3\nprint n(4)\n",
    "check_member_of_number": "let n = 3\nprint n.shape\n",
    "check_matmul_shapes": "dim a = 2\ndim b = 3\nprint ones(a, b) @ ones(a, b)\n",
    "check_concat_shapes": "dim a = 2\ndim b = 3\nprint concat(ones(a, b), ones(a, a))\n",
    "check_broadcast_shapes": "dim a = 2\ndim b = 3\nprint ones(a, b) * ones(b, a)\n",
    "check_assign_to_dim": "dim n = 3\nn = 4\n",
    "check_assign_undeclared": "totl = 3\n",
    "check_break_outside_loop": "break\n",
    "check_return_outside_function": "return 3\n",
    "check_dim_zero": "dim n = 0\n",
    "check_dim_fraction": "dim n = 2.5\n",
    "check_ragged_tensor_literal": "let t = [[1, 2], [3]]\nprint t\n",
    "check_train_unknown_option": "param w = zeros(2)\ndata d = dataset(x: ones(4, 2))\ntrain w on d {\n  loss: sum(batch.x * w)\n  optimiser: sgd(lr: 0.1)\n}\n",
    "check_train_missing_loss": "param w = zeros(2)\ndata d = dataset(x: ones(4, 2))\ntrain w on d {\n  optimizer: sgd(lr: 0.1)\n}\n",
    "check_train_frozen": "frozen w = zeros(2)\ndata d = dataset(x: ones(4, 2))\ntrain w on d {\n  loss: sum(batch.x * w)\n  optimizer: sgd(lr: 0.1)\n}\n",
    "check_import_missing": "import \"no_such_file.pt\"\n",
    "check_import_cycle_a": "import \"check_import_cycle_b.pt\"\n",
    "check_import_cycle_b": "import \"check_import_cycle_a.pt\"\n",
    "check_import_bad_syntax": "import \"syntax_unclosed_paren.pt\"\n",
    "check_if_condition_string": "if \"yes\" { print 1 }\n",
    # --- runtime ------------------------------------------------------------------------------------------------
    "run_division_by_zero": "let d = 0\nprint 1 / d\n",
    "run_list_index_out_of_range": "let xs = [1, 2, 3]\nlet i = 5\nprint xs[i]\n",
    "run_tensor_index_out_of_range": "let t = ones(3)\nlet i = 7\nprint t[i]\n",
    "run_negative_index_out_of_range": "let xs = [1, 2, 3]\nlet i = -10\nprint xs[i]\n",
    "run_reshape_mismatch": "let t = ones(6)\nlet n = 4\nprint reshape(t, n, 2)\n",
    "run_dtype_mismatch": "let a = ones(2)\nlet b = arange(2)\nprint a @ b\n",
    "run_assert_fails": "let loss = 0.5\nassert loss < 0.1, \"loss too high: \" + str(loss)\n",
    "run_endless_recursion": "fn f(n) = f(n + 1)\nprint f(0)\n",
    "run_endless_mutual_recursion": "fn even(n) = odd(n + 1)\nfn odd(n) = even(n + 1)\nprint even(0)\n",
    "run_endless_block_recursion": "fn f(n) {\n  let m = n + 1\n  return f(m)\n}\nprint f(0)\n",
    "run_gigantic_tensor": "let big = zeros(100000, 100000, 1000)\n",
    "run_gigantic_tensor_from_data": "let n = 1 << 40\n",
    "run_gigantic_computed_shape": "let n = 50000\nlet big = ones(n, n)\n",
    "run_memory_limit": "# args: --max-memory 64M\nlet keep = []\nfor i in 1..100 { keep = append(keep, zeros(1000000)) }\n",
    "run_tensor_byte_limit": "# args: --max-tensor-bytes 1M\nlet n = 1000000\nlet big = zeros(n)\n",
    "run_endless_loop_timeout": "# args: --timeout 1\nlet i = 0\nwhile true { i = i + 1 }\n",
    "run_endless_for_timeout": "# args: --timeout 1\nfor i in 0..1000000000000 { }\n",
    "run_exponential_recursion_timeout": "# args: --timeout 1\nfn fib(n) {\n  if n < 2 { return n }\n  return fib(n - 1) + fib(n - 2)\n}\nprint fib(60)\n",
    "run_exponential_expression_recursion_timeout": "# args: --timeout 1\nfn calls(n) = if n < 1 { 1 } else { calls(n - 1) + calls(n - 1) }\nprint calls(60)\n",
    "run_nan_loss": "seed 1\nparam w = ones(2)\ndata d = dataset(x: ones(4, 2))\ntrain w on d {\n  loss: sum(batch.x * w) * 0 / 0\n  optimizer: sgd(lr: 0.1)\n  steps: 3\n}\n",
    "run_infinite_loss": "seed 1\nparam w = ones(2)\ndata d = dataset(x: ones(4, 2))\ntrain w on d {\n  loss: sum(batch.x * w) * 1e300 * 1e300\n  optimizer: sgd(lr: 0.1)\n  steps: 3\n}\n",
    "run_nan_loss_after_steps": "param w = zeros(1)\ndata d = dataset(x: ones(4, 1))\ntrain w on d {\n  loss: log(1 - sum(w))\n  optimizer: sgd(lr: 0.3)\n  batch: 4\n  steps: 10\n}\n",
    "run_load_param_from_truncated": "param w = zeros(4)\nload w from \"safetensors_truncated.safetensors\"\n",
    "run_load_encoder_from_corrupted": "encoder pe = mlp(2, 3)\nload pe from \"safetensors_corrupted.safetensors\"\n",
    "run_load_encoder_from_gguf": "encoder pe = mlp(2, 3)\nload pe from \"gguf_truncated.gguf\"\n",
    "run_load_model_from_overlapping": "model m = linear(4 -> 2)\nload m from \"safetensors_overlapping.safetensors\"\n",
    "run_load_missing_checkpoint": "encoder pe = mlp(2, 3)\nload pe from \"no_such.ckpt.safetensors\"\n",
    "run_missing_file": "let t = read_text(\"no_such_file.txt\")\n",
    "run_read_escape_dotdot": "let t = read_text(\"../../../../../../etc/passwd\")\n",
    "run_read_absolute_path": "let t = read_text(\"/etc/passwd\")\n",
    "run_write_escape": "write_text(\"/tmp/ptune-bad-input-escape.txt\", \"x\")\n",
    "run_read_folder": "let t = read_text(\".\")\n",
    "run_read_non_utf8": "let t = read_text(\"non_utf8.txt\")\n",
    "run_load_tensors_garbage": "let t = load_tensors(\"garbage.json\")\n",
    # Sizes and counts that do not fit: an error, never an integer trap.
    "run_sum_of_empty_huge": "let n = 1e10\nprint sum(zeros(0, n, n), axis: 0)\n",
    "run_concat_empty_huge": "let n = 1e10\nlet z = zeros(0, n, n)\nprint concat([z, z], axis: 1)\n",
    "run_concat_empty_long": "let n = 1e13\nlet z = zeros(n, 0, 1)\nprint concat([z, z], axis: 1)\n",
    "run_print_empty_huge": "let n = 9e11\nprint zeros(0, n, n)\n",
    "run_arange_huge_span": "let end = 1e300\nprint arange(0, end)\n",
    "run_arange_tiny_step": "let step = 1e-300\nprint arange(0, 1, step)\n",
    "run_reshape_wrapping_count": "let t = zeros(4)\nprint reshape(t, 4, 5, 5581, 8681, 49477, 384773)\n",
    "run_reshape_huge_inferred": "let t = zeros(4)\nprint reshape(t, 4000000000, 4000000000, -1)\n",
    "run_unsqueeze_past_max_rank": "let x = zeros(1)\nfor i in 1..100000 { x = unsqueeze(x, 0) }\nprint x\n",
    "run_tensor_of_deep_list": "let l = []\nfor i in 1..100000 { l = [l] }\nprint tensor(l)\n",
    "run_recursion_past_the_stack": "# args: --max-depth 10000000\nfn f(n) = f(n + 1)\nprint f(0)\n",
    "run_epochs_past_counting": "param w = zeros(1)\ndata d = dataset(x: ones(2000, 1))\ntrain w on d {\n  loss: sum(batch.x * w * w)\n  optimizer: sgd(lr: 0.1)\n  batch: 1\n  epochs: 8e15\n}\n",
    # Memory a script grows outside tensors, against --max-memory; and long work against --timeout.
    "run_string_doubling": "# args: --max-memory 256M\nlet s = \"ab\"\nfor i in 1..40 { s = s + s }\nprint len(s)\n",
    "run_list_of_huge_range": "let n = 1e9\nlet l = list(0..n)\nprint len(l)\n",
    "run_print_self_doubling_list": "let l = []\nfor i in 1..40 { l = append(l, l) }\nprint l\n",
    "run_compare_self_doubling_timeout": "# args: --timeout 1\nlet l = []\nlet k = []\nfor i in 1..40 {\n  l = append(l, l)\n  k = append(k, k)\n}\nprint l == k\n",
    "run_history_past_memory": "# args: --max-memory 8M\nparam w = zeros(1)\ndata d = dataset(x: ones(4, 1))\nlet h = train w on d {\n  loss: sum(batch.x * w * w)\n  optimizer: sgd(lr: 0.1)\n  batch: 4\n  steps: 1e12\n}\n",
    "run_embedding_negative_id": "let e = embedding(5, 3)\nlet ids = tensor([-2], dtype: \"int64\")\nprint e(ids)\n",
    "run_matmuls_past_timeout": "# args: --timeout 0.2\nseed 1\nlet a = randn(2000, 2000)\nlet b = a @ a\nlet c = b @ a\nlet d = c @ a\nlet e = d @ a\nlet f = e @ a\nlet g = f @ a\nlet h = g @ a\nprint \"done\"\n",
}


def nested_calls(depth):
    """`f(f(…), f(…))` nested `depth` deep: each call's type is the body re-checked with its argument types."""
    return "0" if depth == 0 else "f(%s, %s)" % (nested_calls(depth - 1), nested_calls(depth - 1))


# A body of 511 calls of its own function: checking it must not cost a re-check per call at each depth.
scripts["check_nested_recursive_calls"] = ("fn f(a, b) {\n  for i in 0..<0 {\n    print " + nested_calls(9)
                                           + "\n  }\n  return a\n}\nprint f(1, 2) + undefined_total\n")
for name, text in scripts.items():
    put(name + ".pt", text)

# Scripts that are not valid UTF-8, or hold NUL bytes.
put("syntax_non_utf8.pt", b"let caf\xe9 = 3\nprint \"\xff\xfe\"\n")
put("syntax_nul_bytes.pt", b"let x = 1\x00\nprint x\n")
put("syntax_binary_garbage.pt", bytes((i * 97 + 13) % 256 for i in range(600)))
put("non_utf8.txt", b"caf\xe9 \xff\n")
put("int64_too_large.json", '{"tensors": {"a": {"shape": [1], "dtype": "int64", "data": [1e300]}}}\n')
put("garbage.json", b"{\"tensors\": {\"a\": {\"shape\": [2], \"data\": [1, 2, 3\n")

# --- data files --------------------------------------------------------------------------------------------------
put("jsonl_truncated.jsonl", '{"text": "fine", "label": 1}\n{"text": "dull", "lab')
put("jsonl_not_json.jsonl", '{"text": "fine", "label": 1}\nthis is not json\n')
put("jsonl_keys_differ.jsonl", '{"text": "fine", "label": 1}\n{"text": "dull", "score": 0}\n')
put("jsonl_not_objects.jsonl", '[1, 2]\n[3, 4]\n')
put("jsonl_empty.jsonl", "")
put("jsonl_non_utf8.jsonl", b'{"text": "caf\xe9", "label": 1}\n')
put("jsonl_ragged_arrays.jsonl", '{"v": [1, 2]}\n{"v": [1, 2, 3]}\n')
put("jsonl_deep_nesting.jsonl", '{"v": ' + "[" * 100000 + "]" * 100000 + "}\n")
put("jsonl_bad_number.jsonl", '{"v": 1e}\n')
put("jsonl_nul_bytes.jsonl", b'{"text": "a\x00b", "label": 1}\n')
put("csv_empty.csv", "")
put("csv_ragged.csv", "a,b\n1,2\n3\n")
put("csv_unclosed_quote.csv", 'a,b\n"1,2\n')
put("csv_duplicate_header.csv", "a,a\n1,2\n")
put("csv_non_utf8.csv", b"a,b\ncaf\xe9,2\n")
put("tsv_ragged.tsv", "a\tb\n1\t2\t3\n")
put("tsv_non_utf8.tsv", b"a\tb\n\xff\t2\n")
put("tsv_empty.tsv", "")


def safetensors(header, blob=b"", declared=None):
    h = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return struct.pack("<Q", len(h) if declared is None else declared) + h + blob


good = safetensors({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, struct.pack("<4f", 1, 2, 3, 4))
put("safetensors_truncated.safetensors", good[:-6])
put("safetensors_header_too_long.safetensors", safetensors({"a": 1}, declared=1 << 40))
put("safetensors_header_not_json.safetensors", safetensors(b"{not json at all}   "))
put("safetensors_overlapping.safetensors", safetensors({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                                        "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12))
put("safetensors_unknown_dtype.safetensors", safetensors({"a": {"dtype": "Q7", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8))
put("safetensors_shape_mismatch.safetensors", safetensors({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8))
put("safetensors_huge_shape.safetensors", safetensors({"a": {"dtype": "F32", "shape": [1 << 31, 1 << 31, 4], "data_offsets": [0, 8]}}, b"\0" * 8))
put("safetensors_empty.safetensors", b"")
put("safetensors_corrupted.safetensors", bytes(b ^ 0x5A if i % 7 == 3 else b for i, b in enumerate(good)))


def gstr(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf_header(n_tensors, n_kv, version=3):
    return b"GGUF" + struct.pack("<IQQ", version, n_tensors, n_kv)


kv = gstr("general.architecture") + struct.pack("<I", 8) + gstr("llama")
tensor = gstr("w") + struct.pack("<I", 2) + struct.pack("<QQ", 4, 2) + struct.pack("<IQ", 0, 0)
body = gguf_header(1, 1) + kv + tensor
body += b"\0" * (-len(body) % 32)
good_gguf = body + struct.pack("<8f", *range(8))
put("gguf_truncated.gguf", good_gguf[:-9])
put("gguf_bad_magic.gguf", b"GGUX" + good_gguf[4:])
put("gguf_bad_version.gguf", b"GGUF" + struct.pack("<I", 99) + good_gguf[8:])
put("gguf_huge_tensor_count.gguf", gguf_header(1 << 60, 0))
put("gguf_huge_kv_count.gguf", gguf_header(0, 1 << 60))
put("gguf_huge_string.gguf", gguf_header(0, 1) + struct.pack("<Q", 1 << 62) + b"abc")
put("gguf_bad_value_type.gguf", gguf_header(0, 1) + gstr("k") + struct.pack("<I", 99) + b"\0" * 8)
put("gguf_bad_tensor_type.gguf", gguf_header(1, 0) + gstr("w") + struct.pack("<I", 1) + struct.pack("<Q", 4) + struct.pack("<IQ", 77, 0) + b"\0" * 64)
put("gguf_offset_out_of_file.gguf", gguf_header(1, 0) + gstr("w") + struct.pack("<I", 1) + struct.pack("<Q", 4) + struct.pack("<IQ", 0, 1 << 40) + b"\0" * 64)
put("gguf_huge_dims.gguf", gguf_header(1, 0) + gstr("w") + struct.pack("<I", 3) + struct.pack("<QQQ", 1 << 40, 1 << 40, 1 << 40) + struct.pack("<IQ", 0, 0) + b"\0" * 64)
put("gguf_deep_array.gguf", gguf_header(0, 1) + gstr("k") + struct.pack("<I", 9) + b"".join(struct.pack("<IQ", 9, 1) for _ in range(5000)))
put("gguf_empty.gguf", b"")
