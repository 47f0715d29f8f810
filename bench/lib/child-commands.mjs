// The command loop of a benchmark child process: the parent sends { id, cmd, args }, the child answers
// { id, ok, result } or { id, ok: false, error } from `handlers[cmd](args)`; it announces itself with
// { ready: true, url, port } and ends when the parent goes.

/** Serves `handlers` to the parent process and says that `sim` (its url and port) is ready. */
export function serveCommands(handlers, sim) {
  process.on('message', async (message) => {
    const { id, cmd, args } = message ?? {};
    try {
      const handler = handlers[cmd];
      if (!handler) throw new Error(`unknown command ${cmd}`);
      const result = await handler(args ?? {});
      process.send?.({ id, ok: true, result });
    } catch (error) {
      process.send?.({ id, ok: false, error: String(error?.stack ?? error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready: true, url: sim.url, port: sim.port });
}
