# Shared set-up for ptune's scripts: make sure the system libraries ptune links are installed.
# Sourced, not run. Installs with apt-get when running as root; otherwise prints the exact command and stops.

PTUNE_APT_PACKAGES=(libopenblas-dev libreadline-dev pkg-config tmux)

ensure_system_packages() {
    local missing=()
    pkg-config --exists openblas 2>/dev/null || missing+=(libopenblas-dev)
    pkg-config --exists readline 2>/dev/null || [ -f /usr/include/readline/readline.h ] || missing+=(libreadline-dev)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    command -v tmux >/dev/null 2>&1 || missing+=(tmux)   # the REPL's terminal test drives readline through tmux
    if [ ${#missing[@]} -eq 0 ]; then return 0; fi
    if [ "$(id -u)" -eq 0 ]; then
        echo "ptune: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 || true
        apt-get install -y -qq "${PTUNE_APT_PACKAGES[@]}" >&2
    else
        echo "ptune: missing system packages: ${missing[*]}" >&2
        echo "run:   sudo apt-get install -y ${PTUNE_APT_PACKAGES[*]}" >&2
        exit 1
    fi
}

# Makes sure Slurm's daemons and clients and munge are installed, for the test that runs a sweep on a one-node
# Slurm cluster: installs slurm-wlm and munge with apt-get when root; otherwise says so (that test then skips).
ensure_slurm() {
    if command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v sbatch >/dev/null 2>&1 \
        && command -v munged >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" -eq 0 ]; then
        echo "ptune: installing slurm-wlm and munge (the Slurm sweep test's one-node cluster)" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 || true
        apt-get install -y -qq --no-install-recommends slurm-wlm munge >&2 \
            || echo "ptune: could not install slurm-wlm and munge; the Slurm test will skip" >&2
    else
        echo "ptune: Slurm is not installed; the Slurm sweep test will skip (sudo apt-get install -y slurm-wlm munge)" >&2
    fi
}

# Makes sure the editors the editor tests drive are installed: Neovim, and Emacs with eglot and lsp-mode (Debian 12's
# Emacs 28 has neither built in), for the tests that run docs/editors.md's set-ups in them. Installs them with
# apt-get when root; otherwise, or when that fails, says so (those tests then skip, naming what is missing).
ensure_editors() {
    local packages=(neovim emacs-nox elpa-eglot elpa-lsp-mode)
    local missing=()
    command -v nvim >/dev/null 2>&1 || missing+=(neovim)
    command -v emacs >/dev/null 2>&1 || missing+=(emacs-nox)
    local package
    for package in elpa-eglot elpa-lsp-mode; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
    done
    if [ ${#missing[@]} -eq 0 ]; then return 0; fi
    if [ "$(id -u)" -eq 0 ]; then
        echo "ptune: installing ${missing[*]} (the editor tests run docs/editors.md's set-ups in them)" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 || true
        apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2 \
            || echo "ptune: could not install ${missing[*]}; the editor tests that need them will skip" >&2
    else
        echo "ptune: ${missing[*]} not installed; the editor tests that need them will skip" \
             "(sudo apt-get install -y --no-install-recommends ${packages[*]})" >&2
    fi
}

# Makes sure `$1 -m pip` works (the fetch scripts download with pip): installs python3-pip with apt-get when root,
# otherwise prints the command and stops.
ensure_pip() {
    local python="${1:-python3}"
    "$python" -m pip --version >/dev/null 2>&1 && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "ptune: installing python3-pip" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 || true
        apt-get install -y -qq python3-pip >&2
    else
        echo "ptune: '$python -m pip' does not work; run:   sudo apt-get install -y python3-pip" >&2
        exit 1
    fi
}
