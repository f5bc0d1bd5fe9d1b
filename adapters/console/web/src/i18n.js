// Two languages, chosen from the browser and switchable; the choice is kept
// in localStorage. Keys are English phrases' short names.
const en = {
  appName: 'seatide', language: 'Language', signIn: 'Sign in', signUp: 'Sign up', signOut: 'Sign out',
  username: 'Username', password: 'Password', email: 'Email', createAccount: 'Create account',
  haveAccount: 'Already have an account? Sign in', noAccount: 'New here? Create an account',
  signedUp: 'Account created. An admin must approve it before you can start the server or see money; you can sign in now.',
  sessionExpired: 'Your session has ended. Sign in again.', status: 'Status', backups: 'Backups', history: 'History',
  money: 'Money', users: 'Users', tokens: 'API tokens', settings: 'Settings', loading: 'Loading…',
  address: 'Address to join', noAddress: 'No address yet', state: 'State', players: 'Players online',
  noPlayers: 'Nobody is playing.', motd: 'Message of the day', offline: 'The game is not answering.',
  new: 'Create server', start: 'Start', stop: 'Stop', delete: 'Delete', operation: 'Progress',
  stateNone: 'No server', stateCreating: 'Being created', why: 'Why not?',
  reasonState: 'Not possible while the server is {state}.', reasonApproval: 'An admin has not approved your account yet.',
  reasonAdmin: 'Only admins may do this.', reasonBusy: 'Another action is under way.',
  confirmDelete: 'Delete the server? The world is backed up first when backups are on.',
  live: 'Live', reconnecting: 'Live updates lost; reconnecting…', polling: 'Refreshing every few seconds',
  failed: 'Failed', succeeded: 'Done', running: 'Running', balance: 'Balance', spendPerDay: 'Spend per day',
  total: 'This month', budget: 'Budget', priceNow: 'Price now', perHour: '/h', split: 'By product',
  notAvailable: 'This server does not offer this yet.', backupNow: 'Back up now', restore: 'Restore on next create', restoreNext: 'the next create restores it',
  created: 'Created', size: 'Size', source: 'Source', action: 'Action', actor: 'User', result: 'Result',
  when: 'When', filter: 'Filter', all: 'All', more: 'Older', refresh: 'Refresh', approve: 'Approve',
  approved: 'Approved', pending: 'Waiting for approval', promote: 'Make admin', demote: 'Make member', group: 'Group',
  name: 'Name', scopes: 'Scopes', expiresIn: 'Expires in (days)', create: 'Create', revoke: 'Revoke',
  lastUsed: 'Last used', never: 'never', tokenOnce: 'Copy this token now; it is not shown again:',
  secretsHidden: 'Secrets are hidden.', error: 'Something went wrong', retry: 'Try again', networkDown: 'seatide cannot be reached; retrying.',
  forbidden: 'You may not see this page.', skip: 'Skip to content', menu: 'Menu',
};
const zh = {
  appName: 'seatide', language: '语言', signIn: '登录', signUp: '注册', signOut: '退出登录',
  username: '用户名', password: '密码', email: '邮箱', createAccount: '创建账户',
  haveAccount: '已有账户？登录', noAccount: '新用户？创建账户',
  signedUp: '账户已创建。管理员批准之前，你不能启动服务器或查看费用；现在可以登录。',
  sessionExpired: '登录已失效，请重新登录。', status: '状态', backups: '备份', history: '历史', money: '费用',
  users: '用户', tokens: 'API 令牌', settings: '设置', loading: '加载中…', address: '连接地址', noAddress: '暂无地址',
  state: '状态', players: '在线玩家', noPlayers: '没有人在玩。', motd: '服务器简介', offline: '游戏服务器没有响应。',
  new: '创建服务器', start: '启动', stop: '停止', delete: '删除', operation: '进度', stateNone: '没有服务器',
  stateCreating: '正在创建', why: '为什么不能？', reasonState: '服务器处于 {state} 状态时不能这样做。',
  reasonApproval: '管理员尚未批准你的账户。', reasonAdmin: '只有管理员可以这样做。', reasonBusy: '另一个操作正在进行。',
  confirmDelete: '删除服务器？开启备份时会先备份世界。', live: '实时', reconnecting: '实时更新中断，正在重连…',
  polling: '每隔几秒刷新', failed: '失败', succeeded: '完成', running: '进行中', balance: '余额',
  spendPerDay: '每日花费', total: '本月', budget: '预算', priceNow: '当前价格', perHour: '/小时', split: '按产品',
  notAvailable: '此服务器尚未提供该功能。', backupNow: '立即备份', restore: '下次创建时恢复', restoreNext: '下次创建将恢复它', created: '创建时间',
  size: '大小', source: '来源', action: '操作', actor: '用户', result: '结果', when: '时间', filter: '筛选',
  all: '全部', more: '更早', refresh: '刷新', approve: '批准', approved: '已批准', pending: '等待批准',
  promote: '设为管理员', demote: '设为成员', group: '用户组', name: '名称', scopes: '权限范围',
  expiresIn: '有效期（天）', create: '创建', revoke: '吊销', lastUsed: '最近使用', never: '从未',
  tokenOnce: '请立即复制此令牌，它不会再次显示：', secretsHidden: '密钥已隐藏。', error: '出错了', retry: '重试',
  networkDown: '无法连接 seatide，正在重试。', forbidden: '你无权查看此页面。', skip: '跳到正文', menu: '菜单',
};

export const languages = { en: 'English', 'zh-CN': '简体中文' };
const dicts = { en, 'zh-CN': zh };

export function initialLanguage() {
  const saved = localStorage.getItem('seatide.lang');
  if (saved && dicts[saved]) return saved;
  return (navigator.languages || [navigator.language || 'en']).some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

export function translator(lang) {
  const d = dicts[lang] || en;
  return (key, vars) => {
    let s = d[key] ?? en[key] ?? key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, v);
    return s;
  };
}
