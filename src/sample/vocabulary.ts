/** What the sample logs talk about: apps, events and message texts per script. */

export const apps = ['shop', 'news', 'video', 'maps'] as const;

export const events = [
  'process_start',
  'ad_show',
  'ad_click',
  'page_view',
  'purchase',
  'error',
] as const;
export type SampleEvent = (typeof events)[number];

/** How often each event occurs. */
export const eventWeights: Readonly<Record<SampleEvent, number>> = {
  process_start: 2,
  ad_show: 30,
  ad_click: 6,
  page_view: 50,
  purchase: 4,
  error: 8,
};

export const users = 5000;
export const slots = ['top', 'side', 'feed', 'footer'] as const;
export const pages = [
  '/home',
  '/search',
  '/item',
  '/cart',
  '/article',
  '/watch',
  '/route',
] as const;
export const currencies = ['USD', 'EUR', 'CNY', 'TWD'] as const;

/** Messages in Simplified Chinese: all encodable in GBK. */
export const simplified = [
  '用户登录成功',
  '页面加载完成',
  '广告展示失败',
  '支付成功',
  '网络连接超时',
  '订单已创建',
  '库存不足',
  '服务器繁忙请稍后再试',
  '视频缓冲中',
  '地图数据已更新',
] as const;

/** Messages in Traditional Chinese: all encodable in Big5. */
export const traditional = [
  '使用者登入成功',
  '頁面載入完成',
  '廣告展示失敗',
  '付款成功',
  '網路連線逾時',
  '訂單已建立',
  '庫存不足',
  '伺服器忙碌請稍後再試',
  '影片緩衝中',
  '地圖資料已更新',
] as const;

/** Messages with Latin-1 letters. */
export const latin = [
  'café fermé',
  'Müller straße',
  'naïve façade',
  'crème brûlée',
  'señor niño',
  'smörgåsbord prêt',
  'Zürich-Genève',
] as const;

export const english = [
  'disk full',
  'upstream timeout',
  'cache miss storm',
  'connection reset by peer',
  'quota exceeded',
  'bad "gateway" reply',
  'path C:\\tmp not found',
] as const;
