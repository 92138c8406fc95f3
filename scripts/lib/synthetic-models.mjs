// Synthetic GGUF models of several architectures (qwen2, llama, qwen3, qwen3moe, deepseek2 with MLA) with the
// real R1 tokenizer and zero (sparse) weights: llama.cpp loads them, so its own memory figures (llama-fit-params
// --fit-print, llama-server's fit_memory_breakdown) can be compared with our fit planner. They are not for chatting.
//
//   writeSyntheticModel(file, { arch, n_embd, n_layer, n_head, n_head_kv, n_ff, ..., type: 'f16' | 'q8_0' })
import { buildTestModelSpec } from '../make-test-model.mjs';
import { GGMLType, LlamaFileType, gguf, writeGGUF } from './gguf-writer.mjs';

const TYPES = {
  f16: { ggml: GGMLType.F16, ftype: LlamaFileType.MOSTLY_F16 },
  q8_0: { ggml: GGMLType.Q8_0, ftype: LlamaFileType.MOSTLY_Q8_0 },
  q4_0: { ggml: GGMLType.Q4_0, ftype: LlamaFileType.MOSTLY_Q4_0 },
};

let tokenizerCache = null;
async function tokenizerKv() {
  if (tokenizerCache) return tokenizerCache;
  const { ensureSource } = await import('../build-llama-server.mjs');
  const srcDir = process.env.DEEPLOCAL_LLAMA_CPP_SRC || (await ensureSource(() => {}));
  const spec = buildTestModelSpec({ preset: 'tiny', seed: 1, srcDir });
  tokenizerCache = { kv: [...spec.kv].filter(([k]) => k.startsWith('tokenizer.')), n_vocab: spec.hparams.n_vocab };
  return tokenizerCache;
}

/** The GGUF spec (no tensor data: zeros, written sparse). */
export async function syntheticModelSpec(h) {
  const { kv: tok, n_vocab } = await tokenizerKv();
  const arch = h.arch;
  const t = TYPES[h.type ?? 'f16'];
  const W = t.ggml;
  const F32 = GGMLType.F32;
  const { n_embd, n_layer, n_head } = h;
  const n_head_kv = h.n_head_kv ?? n_head;
  const head = h.head_dim ?? n_embd / n_head;
  const kv = [
    ['general.architecture', gguf.str(arch)],
    ['general.name', gguf.str(h.name ?? `Synthetic ${arch}`)],
    ['general.file_type', gguf.u32(t.ftype)],
    ['general.alignment', gguf.u32(32)],
    [`${arch}.context_length`, gguf.u32(h.n_ctx_train ?? 32768)],
    [`${arch}.embedding_length`, gguf.u32(n_embd)],
    [`${arch}.block_count`, gguf.u32(n_layer)],
    [`${arch}.feed_forward_length`, gguf.u32(h.n_ff)],
    [`${arch}.attention.head_count`, gguf.u32(n_head)],
    [`${arch}.attention.head_count_kv`, gguf.u32(arch === 'deepseek2' ? 1 : n_head_kv)],
    [`${arch}.rope.freq_base`, gguf.f32(10000)],
    [`${arch}.attention.layer_norm_rms_epsilon`, gguf.f32(1e-6)],
  ];
  const tensors = [];
  const add = (name, ne, type = W) => tensors.push({ name, ne, type });
  add('token_embd.weight', [n_embd, n_vocab]);
  add('output_norm.weight', [n_embd], F32);
  add('output.weight', [n_embd, n_vocab]);

  if (arch === 'deepseek2') {
    const {
      q_lora = 0,
      kv_lora,
      rope,
      qk_nope,
      v_head,
      n_expert,
      n_expert_used,
      n_ff_exp,
      n_shared = 1,
      n_dense_lead = 1,
    } = h;
    kv.push(
      [`${arch}.attention.key_length`, gguf.u32(kv_lora + rope)],
      [`${arch}.attention.value_length`, gguf.u32(kv_lora)],
      [`${arch}.attention.key_length_mla`, gguf.u32(qk_nope + rope)],
      [`${arch}.attention.value_length_mla`, gguf.u32(v_head)],
      [`${arch}.attention.kv_lora_rank`, gguf.u32(kv_lora)],
      [`${arch}.rope.dimension_count`, gguf.u32(rope)],
      [`${arch}.leading_dense_block_count`, gguf.u32(n_dense_lead)],
      [`${arch}.expert_count`, gguf.u32(n_expert)],
      [`${arch}.expert_used_count`, gguf.u32(n_expert_used)],
      [`${arch}.expert_feed_forward_length`, gguf.u32(n_ff_exp)],
      [`${arch}.expert_shared_count`, gguf.u32(n_shared)],
      [`${arch}.expert_weights_scale`, gguf.f32(1)],
      [`${arch}.expert_weights_norm`, gguf.bool(true)],
      [`${arch}.expert_gating_func`, gguf.u32(2)],
      [`${arch}.vocab_size`, gguf.u32(n_vocab)],
    );
    if (q_lora) kv.push([`${arch}.attention.q_lora_rank`, gguf.u32(q_lora)]);
    for (let i = 0; i < n_layer; i++) {
      const b = `blk.${i}`;
      add(`${b}.attn_norm.weight`, [n_embd], F32);
      if (q_lora) {
        add(`${b}.attn_q_a_norm.weight`, [q_lora], F32);
        add(`${b}.attn_q_a.weight`, [n_embd, q_lora]);
        add(`${b}.attn_q_b.weight`, [q_lora, n_head * (qk_nope + rope)]);
      } else add(`${b}.attn_q.weight`, [n_embd, n_head * (qk_nope + rope)]);
      add(`${b}.attn_kv_a_norm.weight`, [kv_lora], F32);
      add(`${b}.attn_kv_a_mqa.weight`, [n_embd, kv_lora + rope]);
      add(`${b}.attn_k_b.weight`, [qk_nope, kv_lora, n_head]);
      add(`${b}.attn_v_b.weight`, [kv_lora, v_head, n_head]);
      add(`${b}.attn_output.weight`, [n_head * v_head, n_embd]);
      add(`${b}.ffn_norm.weight`, [n_embd], F32);
      if (i < n_dense_lead) {
        add(`${b}.ffn_gate.weight`, [n_embd, h.n_ff]);
        add(`${b}.ffn_up.weight`, [n_embd, h.n_ff]);
        add(`${b}.ffn_down.weight`, [h.n_ff, n_embd]);
      } else {
        add(`${b}.ffn_gate_inp.weight`, [n_embd, n_expert], F32);
        add(`${b}.exp_probs_b.bias`, [n_expert], F32);
        add(`${b}.ffn_gate_exps.weight`, [n_embd, n_ff_exp, n_expert]);
        add(`${b}.ffn_up_exps.weight`, [n_embd, n_ff_exp, n_expert]);
        add(`${b}.ffn_down_exps.weight`, [n_ff_exp, n_embd, n_expert]);
        add(`${b}.ffn_gate_shexp.weight`, [n_embd, n_ff_exp * n_shared]);
        add(`${b}.ffn_up_shexp.weight`, [n_embd, n_ff_exp * n_shared]);
        add(`${b}.ffn_down_shexp.weight`, [n_ff_exp * n_shared, n_embd]);
      }
    }
  } else {
    if (h.head_dim)
      kv.push([`${arch}.attention.key_length`, gguf.u32(head)], [`${arch}.attention.value_length`, gguf.u32(head)]);
    const moe = arch === 'qwen3moe';
    if (moe)
      kv.push(
        [`${arch}.expert_count`, gguf.u32(h.n_expert)],
        [`${arch}.expert_used_count`, gguf.u32(h.n_expert_used)],
        [`${arch}.expert_feed_forward_length`, gguf.u32(h.n_ff_exp)],
      );
    if (arch === 'llama')
      kv.push([`${arch}.rope.dimension_count`, gguf.u32(head)], [`${arch}.vocab_size`, gguf.u32(n_vocab)]);
    for (let i = 0; i < n_layer; i++) {
      const b = `blk.${i}`;
      add(`${b}.attn_norm.weight`, [n_embd], F32);
      add(`${b}.attn_q.weight`, [n_embd, n_head * head]);
      add(`${b}.attn_k.weight`, [n_embd, n_head_kv * head]);
      add(`${b}.attn_v.weight`, [n_embd, n_head_kv * head]);
      if (arch === 'qwen2') {
        add(`${b}.attn_q.bias`, [n_head * head], F32);
        add(`${b}.attn_k.bias`, [n_head_kv * head], F32);
        add(`${b}.attn_v.bias`, [n_head_kv * head], F32);
      }
      if (arch === 'qwen3' || moe) {
        add(`${b}.attn_q_norm.weight`, [head], F32);
        add(`${b}.attn_k_norm.weight`, [head], F32);
      }
      add(`${b}.attn_output.weight`, [n_head * head, n_embd]);
      add(`${b}.ffn_norm.weight`, [n_embd], F32);
      if (moe) {
        add(`${b}.ffn_gate_inp.weight`, [n_embd, h.n_expert], F32);
        add(`${b}.ffn_gate_exps.weight`, [n_embd, h.n_ff_exp, h.n_expert]);
        add(`${b}.ffn_up_exps.weight`, [n_embd, h.n_ff_exp, h.n_expert]);
        add(`${b}.ffn_down_exps.weight`, [h.n_ff_exp, n_embd, h.n_expert]);
      } else {
        add(`${b}.ffn_gate.weight`, [n_embd, h.n_ff]);
        add(`${b}.ffn_up.weight`, [n_embd, h.n_ff]);
        add(`${b}.ffn_down.weight`, [h.n_ff, n_embd]);
      }
    }
  }
  return { kv: [...kv, ...tok], tensors, alignment: 32 };
}

/** Writes the model (sparse, quick) and returns its size. */
export async function writeSyntheticModel(file, h) {
  return writeGGUF(file, await syntheticModelSpec(h));
}
