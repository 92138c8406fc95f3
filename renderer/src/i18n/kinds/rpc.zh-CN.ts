import type { Messages } from '../backend/messages';
import type { rpcEn } from './rpc.en';

export const rpcZhCN: Messages<typeof rpcEn> = {
  title: 'RPC 工作节点',
  intro:
    '当模型在本机放不下时，llama.cpp 可以把它分布到局域网中的其他机器上。在每台机器上运行一个 RPC 工作节点（DeepLocal 本身也可以充当：见“本机作为工作节点”），在这里添加它们，下次启动模型时就会使用它们。',
  workers: {
    title: '其他机器上的工作节点',
    empty: '还没有工作节点。',
    host: '主机',
    hostHint: '工作节点的地址；在此栏中直接填写“主机:端口”也可以。',
    port: '端口',
    add: '添加工作节点',
    adding: '正在添加…',
    badHost: '请输入主机名或 IP 地址（字母、数字、点、冒号、连字符）。',
    badPort: '请输入 1 到 65535 之间的端口。',
  },
  row: {
    ok: '可连接',
    unreachable: '无法连接',
    incompatible: '版本不兼容',
    unchecked: '尚未检查',
    protocol: '协议 {{version}}',
    compatible: '兼容',
    latency: '{{ms}} 毫秒',
    checkedAt: '{{when}} 检查',
    devices: '设备',
    noDevices: '该工作节点没有报告任何设备。',
    device: '设备 {{index}}',
    memory: '可用 {{free}}，共 {{total}}',
    enabled: '使用',
    check: '检查',
    checking: '正在检查…',
    remove: '移除',
  },
  use: {
    some: '下次启动模型时将使用 {{count}} 个已启用且可连接的工作节点，可用内存共 {{free}}；适配估算会把它们的内存与本机内存一起计算。',
    none: '不会使用任何工作节点：下次启动模型时只在本机运行。已启用且可连接的工作节点会被使用，适配估算也会计入它们的内存。',
  },
  mode: {
    title: '本机作为工作节点',
    hint: '把本机的内存和设备借给另一台电脑上的 DeepLocal：本机将运行当前运行时中 llama.cpp 的 RPC 工作节点（ggml-rpc-server）。',
    switch: '在本机运行 RPC 工作节点',
    host: '监听地址',
    hostLocal: '{{host}}——仅限本机（用于试用）',
    hostAll: '{{host}}——本机所在的所有网络',
    hostIface: '{{host}}——{{iface}}',
    port: '端口',
    devices: '提供的设备',
    devicesHint: 'ggml 设备名，用逗号分隔，例如 CUDA0, Vulkan0。留空：全部设备。',
    badDevices: '“{{name}}”不是有效的设备名（字母、数字、_ 和 -）。',
    cache: '在本地缓存张量（再次加载同一模型时通过网络传输的数据更少）',
    warning:
      'RPC 工作节点没有密码，也不加密：任何能访问其端口的人都可以使用本机的设备并向它发送数据，llama.cpp 项目明确警告绝不能在开放网络上运行它。请只在你信任的网络中开启，不再需要时请关闭。',
    exposedWarning:
      '它正在网络上监听（{{host}}）：任何能访问本机的机器都可以连接它。请只在你自己的私有网络中使用——不要在公共 Wi-Fi 上使用，也不要把该端口转发到互联网。',
    addresses: '在主电脑的“其他机器上的工作节点”中添加以下任一地址：',
    state: {
      stopped: '已关闭',
      starting: '正在启动…',
      running: '运行中',
      failed: '失败',
    },
    pid: '进程 {{pid}}',
    apply: '按这些设置重新启动',
    settingsLink: '其他机器上的工作节点等更多设置：后端页面',
  },
};
