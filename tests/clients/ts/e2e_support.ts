// What the end-to-end scripts (e2e_tasks.ts, e2e_keywords.ts) share: one printed line per check,
// the error of a call that must fail, and running the script's main on `BASE_URL MODE`.

declare const process: { argv: string[]; exitCode?: number };

export function check(condition: boolean, what: string, got?: unknown): void {
  if (!condition) {
    throw new Error(`failed: ${what}${got === undefined ? "" : `: got ${JSON.stringify(got)}`}`);
  }
  console.log(`ok: ${what}`);
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

/** Runs `main(BASE_URL, MODE)` from the command line; a failure is printed and exits 1. */
export function run(main: (baseUrl: string, mode: string | undefined) => Promise<void>): void {
  main(process.argv[2]!, process.argv[3]).catch((error: unknown) => {
    console.log(String(error));
    process.exitCode = 1;
  });
}
