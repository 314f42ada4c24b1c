import asyncio

import pytest

from agent.clock import LoopClock, VirtualClock


async def test_virtual_sleep_wakes_only_when_time_is_advanced() -> None:
    clock = VirtualClock()
    woke: list[float] = []

    async def sleeper() -> None:
        await clock.sleep(5)
        woke.append(clock.now())

    task = asyncio.ensure_future(sleeper())
    await asyncio.sleep(0)
    clock.advance(4.9)
    await asyncio.sleep(0)
    assert woke == []
    clock.advance(0.1)
    await task
    assert woke == [5.0]


async def test_driver_runs_a_long_show_instantly_in_order() -> None:
    clock = VirtualClock()
    order: list[tuple[str, float]] = []

    async def ticker(name: str, every: float, n: int) -> None:
        for _ in range(n):
            await clock.sleep(every)
            order.append((name, clock.now()))

    driver = asyncio.ensure_future(clock.run())
    await asyncio.gather(ticker("a", 600, 3), ticker("b", 900, 2))
    driver.cancel()
    await asyncio.gather(driver, return_exceptions=True)
    # equal times wake in the order the sleeps began
    assert order == [("a", 600), ("b", 900), ("a", 1200), ("b", 1800), ("a", 1800)]


async def test_driver_does_not_jump_while_work_is_marked_busy() -> None:
    clock = VirtualClock()
    driver = asyncio.ensure_future(clock.run())
    with clock.working():
        sleeper = asyncio.ensure_future(clock.sleep(100))
        await asyncio.sleep(0.01)  # real time passes; virtual time must not jump
        assert clock.now() == 0
    await sleeper
    assert clock.now() == 100
    driver.cancel()
    await asyncio.gather(driver, return_exceptions=True)


async def test_charged_real_time_is_added_to_virtual_time() -> None:
    real = [10.0]
    clock = VirtualClock(charge_real=lambda: real[0])
    real[0] = 10.25  # 250 ms of compute
    assert clock.now() == 0.25
    clock.advance(1)
    assert clock.now() == 1.25


async def test_loop_clock_is_monotonic() -> None:
    clock = LoopClock()
    a = clock.now()
    await clock.sleep(0)
    assert clock.now() >= a


async def test_a_hanging_call_times_out_on_virtual_time() -> None:
    from agent.clock import timeout

    clock = VirtualClock()
    driver = asyncio.ensure_future(clock.run())
    try:
        with pytest.raises(TimeoutError):
            async with timeout(clock, 5.0):
                await clock.sleep(3600)  # a call that never returns
        assert clock.now() == 5.0
        async with timeout(clock, 5.0):
            await clock.sleep(1)
        assert clock.now() == 6.0
    finally:
        driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)
