#!/usr/bin/env bash
# Installs, when missing, the real clients jac's tests check its output against:
# pdflatex (LaTeX documents), KaTeX (notebooks, web pages), zsh and fish (completion),
# jq (the README's JSON pipelines), Octave (the MATLAB code of `jac codegen`), Maxima (a
# second algebra system for the textbook forms).
# Without root or apt-get, or without npm, it says what is missing and carries on:
# those tests then skip with the same advice.
set -uo pipefail

debian=()
command -v pdflatex >/dev/null || debian+=(texlive-latex-base)
command -v zsh >/dev/null || debian+=(zsh)
command -v fish >/dev/null || debian+=(fish)
command -v bash >/dev/null || debian+=(bash)
command -v jq >/dev/null || debian+=(jq)
command -v octave-cli >/dev/null || debian+=(octave)  # runs `jac codegen --lang matlab` output
# Maxima, a second computer algebra system, checks the textbook forms (tests/test_textbook.py);
# its trigsimp is in the share library, a Debian package of its own
command -v maxima >/dev/null || debian+=(maxima)
compgen -G "/usr/share/maxima/*/share/trigonometry/trgsmp.mac" >/dev/null || debian+=(maxima-share)
if ((${#debian[@]})); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "tests/tools/install.sh: installing ${debian[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${debian[@]}" >/dev/null \
            || echo "tests/tools/install.sh: could not install ${debian[*]}; their tests will skip" >&2
    else
        echo "tests/tools/install.sh: missing ${debian[*]} (Debian packages); their tests will skip" >&2
    fi
fi

tools="${JAC_TEST_TOOLS:-$HOME/.cache/jac-test-tools}"
if [ ! -d "$tools/node_modules/katex" ]; then
    if command -v npm >/dev/null; then
        echo "tests/tools/install.sh: installing katex into $tools" >&2
        mkdir -p "$tools" && npm install --prefix "$tools" --silent --no-audit --no-fund katex@0.16 >/dev/null \
            || echo "tests/tools/install.sh: could not install katex; its tests will skip" >&2
    else
        echo "tests/tools/install.sh: npm is missing, so is KaTeX; its tests will skip" >&2
    fi
fi
exit 0
