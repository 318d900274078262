// The bot's clock in tests: the real time, plus however far a test has moved it (to reach
// deadlines, retention periods and retry times without waiting for them).
export function movableClock() {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms: number) => {
      offset += ms;
    },
  };
}
