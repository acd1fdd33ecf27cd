"""A Pygments lexer for ptune experiment scripts (`.pt`).

It follows ptune's own lexer: the same reserved words, contextual words, operators and literals. Text that ptune's
lexer rejects (a stray character, an unknown escape, an unterminated string, a malformed number) is an Error token,
and nothing else is. The word lists below are checked against ptune's token table, its grammar (grammar/ptune.ebnf)
and its builtins by the test suite, so they cannot drift.

Installed as a plugin (`pip install editors/pygments`), it is found by name, so Jupyter (`pygments_lexer: "ptune"`),
Sphinx (` ```ptune ` or `.. code-block:: ptune`) and `pygmentize -l ptune` colour ptune code.
"""

import math

from pygments.lexer import RegexLexer, bygroups, include, words
from pygments.token import (Comment, Error, Keyword, Name, Number, Operator, Punctuation, String, Text,
                            Whitespace)

__all__ = ["PtuneLexer"]

# The reserved words (ptune's Keyword enum), grouped by how they are coloured.
DECLARATION_KEYWORDS = ("let", "fn", "dim", "param", "frozen", "seed", "dtype")
CONTROL_KEYWORDS = ("if", "else", "for", "in", "while", "return", "break", "continue", "print", "assert")
NAMESPACE_KEYWORDS = ("import",)
CONSTANT_KEYWORDS = ("true", "false", "none")
WORD_OPERATORS = ("and", "or", "not")
KEYWORDS = DECLARATION_KEYWORDS + CONTROL_KEYWORDS + NAMESPACE_KEYWORDS + CONSTANT_KEYWORDS + WORD_OPERATORS

# Words that are keywords only where a statement's rule names them (ptune's ContextualWord enum).
CONTEXTUAL_WORDS = ("model", "encoder", "data", "train", "on", "save", "to", "load", "from", "every", "exists")

# Operators and punctuation (ptune's Punctuation enum), longest first where one is a prefix of another.
OPERATORS = ("..<", "..", "**", "->", "+=", "-=", "*=", "/=", "==", "!=", "<=", ">=",
             "+", "-", "*", "/", "%", "@", "<", ">", "=")
PUNCTUATION = ("(", ")", "[", "]", "{", "}", ",", ":", ";", ".")

# The builtins scripts call by name (ptune's builtin registry).
BUILTINS = (
    "abs", "accuracy", "adam", "adamw", "append", "arange", "argmax", "argmin", "batches", "bce", "cached", "ceil",
    "clamp", "concat", "constant", "cosine", "cross_entropy", "dataset", "detach", "detokenize", "dropout", "embed",
    "embedding", "embedding_encoder", "exp", "export_peft", "floor", "format", "forward", "full", "gelu", "generate",
    "gpt", "grad", "import_peft", "item", "label_logits", "layer_norm", "len", "linear", "linear_decay", "list", "lm_loss",
    "load", "load_tensors", "load_weights", "log", "log_metric", "log_softmax", "lstm", "lstm_encoder", "matmul", "max", "maximum",
    "mean", "min", "minimum", "mlp", "mlp_encoder", "mse", "norm", "one_hot", "ones", "permute", "plot", "pow",
    "prefix_encoder", "prompt", "rand", "randint", "randn", "random", "range", "read_csv", "read_jsonl", "read_text",
    "read_tsv", "relu", "reshape", "rms_norm", "round", "sample_vocab", "scale_encoder", "sentence_embedding", "sgd",
    "shuffle", "sigmoid", "silu", "softmax", "sort", "split", "sqrt", "square", "squeeze", "stack", "str", "sum",
    "synthetic_classes", "table", "take", "tanh", "tensor", "text", "to", "tokenize", "topk", "transpose", "unsqueeze",
    "variance", "where", "with_schedule", "write_csv", "write_text", "zero", "zeros",
)

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
NUMBER = r"[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9]+)?"


def finite(token):
    """A number literal as `token`, or an error when its value is too large for a double (ptune rejects it)."""

    def callback(lexer, match):
        text = match.group()
        yield match.start(), token if math.isfinite(float(text.replace("_", ""))) else Error, text

    return callback


class PtuneLexer(RegexLexer):
    """ptune experiment scripts: dims, params, frozen models, prompt encoders, data and training loops."""

    name = "ptune"
    aliases = ["ptune"]
    filenames = ["*.pt"]
    mimetypes = ["text/x-ptune"]
    url = "https://github.com/ptune"

    tokens = {
        "root": [
            (r"\n", Whitespace),
            (r"[ \t\r\v\f]+", Whitespace),
            (r"#.*$", Comment.Single),
            # Statements that start with a contextual word: `model m = …`, `train pe, head on d {`, `save x to …`.
            (r"^([ \t]*)(model|encoder|data)([ \t]+)(" + NAME + r")(?=[ \t]*=)",
             bygroups(Whitespace, Keyword.Declaration, Whitespace, Name.Variable)),
            (r"(train)([ \t]+)(?=" + NAME + r"[ \t]*(?:,[ \t]*" + NAME + r"[ \t]*)*on\b)", bygroups(Keyword, Whitespace),
             "train-targets"),
            (r"^([ \t]*)(save)\b(?![ \t]*[(=.\[])", bygroups(Whitespace, Keyword), "save-statement"),
            (r"^([ \t]*)(load)([ \t]+)(" + NAME + r")([ \t]+)(from)\b",
             bygroups(Whitespace, Keyword, Whitespace, Name.Variable, Whitespace, Keyword)),
            (r"\b(every)\b(?=[ \t]+[^\s:])", Keyword),
            (r"\b(if)([ \t]+)(exists)\b", bygroups(Keyword, Whitespace, Keyword)),
            (r"(fn)([ \t]+)(" + NAME + r")", bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (r"(dtype)([ \t]+)(float32|float64)\b", bygroups(Keyword.Declaration, Whitespace, Keyword.Type)),
            (r"(\.)(" + NAME + r")", bygroups(Punctuation, Name.Attribute)),
            (words(DECLARATION_KEYWORDS, suffix=r"\b"), Keyword.Declaration),
            (words(CONTROL_KEYWORDS, suffix=r"\b"), Keyword),
            (words(NAMESPACE_KEYWORDS, suffix=r"\b"), Keyword.Namespace),
            (words(CONSTANT_KEYWORDS, suffix=r"\b"), Keyword.Constant),
            (words(WORD_OPERATORS, suffix=r"\b"), Operator.Word),
            (words(BUILTINS, suffix=r"\b(?=[ \t]*\()"), Name.Builtin),
            (r"(" + NAME + r")([ \t]*)(:)(?![:=])", bygroups(Name.Label, Whitespace, Punctuation)),
            (NAME, Name),
            include("numbers"),
            (r'"', String.Double, "string"),
            (words(OPERATORS), Operator),
            (words(PUNCTUATION), Punctuation),
            # Anything else is a character ptune's lexer rejects.
            (r".", Error),
        ],
        "numbers": [
            # A number run into a name (`3abc`, `1e5x`) is malformed. The lookahead takes the longest number, as
            # ptune's lexer does, before looking at what follows it.
            (r"(?=(?P<number>" + NUMBER + r"))(?P=number)[A-Za-z_][A-Za-z0-9_]*", Error),
            (r"[0-9][0-9_]*\.[0-9][0-9_]*(?:[eE][+-]?[0-9]+)?", finite(Number.Float)),
            (r"[0-9][0-9_]*[eE][+-]?[0-9]+", finite(Number.Float)),
            (r"[0-9][0-9_]*", finite(Number.Integer)),
        ],
        "train-targets": [
            (r"[ \t]+", Whitespace),
            (r",", Punctuation),
            (r"(on)\b", Keyword, "#pop"),
            (NAME, Name.Variable),
        ],
        # `save EXPR to PATH`: `to` is a keyword here.
        "save-statement": [
            (r"\bto\b", Keyword, "#pop"),
            (r"(?=\n)", Whitespace, "#pop"),
            include("root"),
        ],
        "string": [
            (r'"', String.Double, "#pop"),
            (r'\\[nt"\\]', String.Escape),
            (r"\\.?", Error),
            (r"\{" + NAME + r"\}", String.Interpol),
            (r'[^"\\\n{]+', String.Double),
            (r"\{", String.Double),
            # A string ends at its line: unterminated.
            (r"\n", Error, "#pop"),
        ],
    }
