"""Many rooms across machines, on Redis Streams.

A room is a unit of work. ``livehost relay --room NAME`` publishes the room's events to the stream
``livehost:room:{NAME}:events`` (:mod:`connectors.rooms.stream`); ``livehost run --room NAME`` workers take the
room one at a time under a lease (:mod:`connectors.rooms.lease`) and read it through a consumer group
(:class:`connectors.rooms.source.RoomSource`, an :class:`agent.ports.EventSource`).
"""
