// The load hook of loaded-packages.mjs: appends the URL of every module loaded to a file.
import { appendFileSync } from 'node:fs';

let esmList;

export function initialize(data) {
  esmList = data.esmList;
}

export async function load(url, context, nextLoad) {
  appendFileSync(esmList, `${url}\n`);
  return nextLoad(url, context);
}
