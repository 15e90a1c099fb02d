"""Live feeds of readings and alerts over WebSockets.

There are four feeds: one device, one pilot, one district and the whole city. After their
transaction commits, the processing services hand every batch to `push`, which sends it as one
channel-layer message to one group (`messages.city_group()`). Each ASGI server process has a
single member in that group, its `hub`, which routes the batch to the local subscribers of every
feed and coalesces the city, district and pilot feeds into a few frames per second; so a batch
costs one channel-layer message per server process, however many browsers watch. The
`consumers` are the WebSockets, one per subscriber, refused in `connect` to whom may not listen
(`selectors`); `routing` gives their URLs, and `messages` the JSON they carry.
"""
