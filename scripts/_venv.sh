# Shared by scripts/serve and scripts/test: a virtual environment with Folio in it.

ensure_venv() {
    local target="$1"
    local python="${PYTHON:-python3}"
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "Folio needs Python 3.11 or newer; $python is $("$python" --version)." >&2
        exit 1
    fi
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv
    fi
    # Reinstall only when the project's dependencies changed since the last setup.
    local stamp=".venv/.folio-installed-$(echo "$target" | tr -c 'a-z' '_')"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet -e "$target"
        touch "$stamp"
    fi
}
