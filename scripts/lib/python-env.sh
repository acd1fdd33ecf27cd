# The one Python virtual environment of ptune's interop tests (transformers, tokenizers, gguf, PEFT, TensorBoard,
# Jupyter and LSP clients), created on first use under the cache folder and reused after. Sourced, not run.
#
#   ensure_test_python    creates (or finds) $PTUNE_HOME/venv/test-HASH, HASH naming scripts/requirements-test.txt
#                         and the base interpreter, and exports PTUNE_PYTHON=<its python>; tests that need Python
#                         read PTUNE_PYTHON and skip with a message when it is unset.
#
# PTUNE_PYTHON already set: that interpreter is used as it is. PTUNE_PYTHON_ENV=0 (or PTUNE_OFFLINE=1 before the
# environment exists): no environment is made and PTUNE_PYTHON stays unset (interop tests skip). Creation holds a lock, so test runs started together build it once;
# an environment is marked complete only after every package installed, so an interrupted build is redone.

PTUNE_REQUIREMENTS_TEST="${PTUNE_REQUIREMENTS_TEST:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/requirements-test.txt}"

# Makes sure `$1 -m venv` can create an environment with pip in it: installs python3-venv (and pip) with apt-get
# when root, otherwise prints the command and stops.
ensure_venv_module() {
    local python="$1"
    "$python" -c 'import venv, ensurepip' >/dev/null 2>&1 && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "ptune: installing python3-venv and python3-pip" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 || true
        apt-get install -y -qq python3-venv python3-pip >&2
    else
        echo "ptune: '$python -m venv' does not work; run:   sudo apt-get install -y python3-venv python3-pip" >&2
        exit 1
    fi
}

ensure_test_python() {
    if [ -n "${PTUNE_PYTHON:-}" ]; then
        echo "ptune: interop tests use PTUNE_PYTHON=$PTUNE_PYTHON" >&2
        export PTUNE_PYTHON
        return 0
    fi
    if [ "${PTUNE_PYTHON_ENV:-1}" = "0" ]; then
        echo "ptune: PTUNE_PYTHON_ENV=0: no Python environment; interop tests will skip" >&2
        return 0
    fi
    local base="${PYTHON:-python3}"
    if ! command -v "$base" >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ]; then
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq >&2 || true
            apt-get install -y -qq python3 >&2
            base=python3
        else
            echo "ptune: python3 is missing; run:   sudo apt-get install -y python3 python3-venv python3-pip" >&2
            exit 1
        fi
    fi
    ensure_venv_module "$base"
    local home="${PTUNE_HOME:-$HOME/.cache/ptune}"
    local version hash
    version="$("$base" -c 'import sys, platform; print(sys.version.split()[0], platform.machine())')"
    hash="$( { cat "$PTUNE_REQUIREMENTS_TEST"; echo "$version"; } | sha256sum | cut -c1-12)"
    local env="$home/venv/test-$hash"
    mkdir -p "$home/venv"
    if [ ! -f "$env/.complete" ] && [ "${PTUNE_OFFLINE:-0}" = "1" ]; then
        echo "ptune: PTUNE_OFFLINE=1 and no Python environment at $env: interop tests will skip" >&2
        return 0
    fi
    if [ ! -f "$env/.complete" ]; then
        (
            flock 9
            if [ ! -f "$env/.complete" ]; then
                local started=$SECONDS
                echo "ptune: creating the interop-test Python environment $env (Python $version; a few minutes, once)" >&2
                rm -rf "$env"
                "$base" -m venv "$env" >&2
                "$env/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
                    -r "$PTUNE_REQUIREMENTS_TEST" >&2
                cp "$PTUNE_REQUIREMENTS_TEST" "$env/requirements-test.txt"
                touch "$env/.complete"
                echo "ptune: Python environment ready in $((SECONDS - started)) s" >&2
            fi
        ) 9>"$home/venv/.lock"
    fi
    export PTUNE_PYTHON="$env/bin/python"
    echo "ptune: interop tests use $PTUNE_PYTHON" >&2
}
