import type { specEn } from './spec.en';
import type { Messages } from './messages';

/** Chinese strings of the 'spec' section; same keys and {{placeholders}} as spec.en.ts (checked by backend.test.ts). */
export const specZhCN: Messages<typeof specEn> = {
  title: '用推测解码加速',
  hint: '先猜出后面的若干 token，再由模型一次前向同时验证：回复内容不变，猜中越多越快。',
  mode: {
    off: '关闭',
    draft: '草稿模型',
    ngram: 'N-gram 查找',
    mtp: 'MTP（模型自带）',
  },
  modeHint: {
    off: '每个 token 都由模型单独前向一次生成。',
    draft: '由同系列的小模型来猜，需要额外内存。启动前会检查：它必须与本模型词表一致，且比本模型小。',
    ngram: '根据已有文本来猜：不占额外内存。适合代码和大量重复原文的修改。',
    mtp: '使用本模型自带的多 token 预测层（{{n}} 层），无需第二个模型。',
  },
  mtpUnavailable: '此模型不含 MTP 层，因此不提供 MTP。',
  draftPath: '草稿模型文件',
  draftPlaceholder: '同系列小模型 GGUF 的路径',
  suggested: '模型目录中与本模型配对的草稿：',
  useSuggestion: '使用 {{name}}（{{size}}）',
  notInstalled: '{{name}} — 尚未安装（见“模型”页）',
  noSuggestion: '模型目录没有为此模型配对草稿：请选择同系列的更小模型。',
  ngramType: '查找方式',
  ngram: {
    'ngram-simple': '简单：延续最近匹配的 n-gram',
    'ngram-map-k': '映射：最常见的后续',
    'ngram-map-k4v': '映射（每个键 4 个候选）',
    'ngram-mod': '覆盖整个上下文的滚动哈希',
    'ngram-cache': '已见 n-gram 的缓存',
  },
  draftMax: '每步最多猜测的 token 数',
  draftPMin: '继续猜测所需的最低置信度（0–1）',
  stats: {
    accepted: '猜测的 {{drafted}} 个 token 中保留 {{rate}}',
    acceptedTitle: '推测解码：提前猜出的 token 中被模型保留的比例（{{drafted}} 个中 {{accepted}} 个）。',
    perPass: '每次模型前向 {{x}} 个 token',
    perPassTitle:
      '模型每次前向产生的 token 数；不用推测解码时为 1。它统计的是省下的前向次数，而非时间：猜测和验证也要花时间，所以实际加速最多到此。token/秒 是实测速度。',
  },
};
