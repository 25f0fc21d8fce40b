// Waits until URL answers 200: node wait-ready.mjs URL SECONDS. Exit 0 when ready, 1 on timeout.
const [url, seconds = '30'] = process.argv.slice(2);
const deadline = Date.now() + Number(seconds) * 1000;
while (Date.now() < deadline) {
  try {
    const response = await fetch(url);
    if (response.status === 200) process.exit(0);
  } catch {
    // not listening yet
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
process.exit(1);
