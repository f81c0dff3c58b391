"""The prose of the article corpus: article bodies and the boilerplate that
surrounds them on real sites (menus, cookie banners, comments, newsletter
boxes, related posts).  All of it written for these tests.

An article is a dict: title, author, date (ISO 8601), lang, and blocks, a
list of (kind, ...) tuples:
  ("p", text)  ("h2", text)  ("h3", text)  ("ul", [items])  ("ol", [items])
  ("quote", text)  ("img", file, alt, caption or None)  ("pre", code)
Text may carry inline markup written as <em>, <strong>, <a href=...>, <code>;
the expected text is the text with the tags taken out.
"""

SOURDOUGH = dict(
    title="What three winters of sourdough taught me about patience",
    author="Maren Holt", date="2026-01-14T08:30:00+01:00", lang="en",
    blocks=[
        ("p", "The first loaf I ever baked came out of the oven looking like a "
              "paving stone, dense, pale and strangely sour in a way that had "
              "nothing to do with flavour. I had followed a recipe from a "
              "magazine to the gram, and I could not understand why the bread "
              "in the photograph rose like a cloud while mine sat in the tin "
              "and sulked."),
        ("p", "It took me most of a winter to understand that the recipe was "
              "not lying, it was simply written for a different kitchen. The "
              "author's starter lived at twenty-six degrees, mine lived on a "
              "windowsill that dropped to fourteen every night. Yeast and "
              "bacteria do not read recipes; they read thermometers."),
        ("h2", "Temperature is the recipe"),
        ("p", "Once I bought a cheap probe thermometer, everything changed. I "
              "started writing down the temperature of the dough at every "
              "fold, and a pattern appeared almost at once: below twenty "
              "degrees the bulk ferment needed ten hours, above twenty-four it "
              "needed four. The clock on the wall meant nothing, the "
              "<em>dough</em> set the schedule."),
        ("p", "This is the part most guides skip, because it is not glamorous. "
              "It is also the part that decides whether your crumb is open and "
              "glossy or tight and gummy. If you take one thing from this "
              "post, let it be this: watch the dough, not the clock."),
        ("img", "/images/crumb-shot.jpg", "An open crumb",
         "The crumb of a loaf fermented at twenty-four degrees."),
        ("h2", "Flour, water and honesty"),
        ("p", "The second winter was about flour. I tried stone-ground wheat "
              "from a mill two valleys over, a supermarket bread flour, and a "
              "blend with a little rye. The rye made the starter wake up "
              "faster, the local flour tasted of hazelnuts, and the "
              "supermarket flour, to my mild embarrassment, made the most "
              "reliable loaf of the three."),
        ("ul", ["Keep the starter at a steady temperature, even if that means "
                "the oven with only the light on.",
                "Feed it at the same ratio every time so you can compare days.",
                "Write everything down, including the failures."]),
        ("p", "By the third winter I had stopped chasing the perfect photograph. "
              "The bread on our table is not always pretty, but it is ours, "
              "and it is good. Patience, it turns out, is mostly a matter of "
              "paying attention."),
    ])

BIKE = dict(
    title="A year of commuting by bike through a northern winter",
    author="Jonas Lindqvist", date="2025-12-02T07:00:00Z", lang="en",
    blocks=[
        ("p", "When I sold the car last December, my colleagues gave me until "
              "the first snow. They had a betting pool, I later learned, and "
              "the most optimistic guess was the middle of January. I am "
              "writing this on the anniversary of that sale, and the bike is "
              "still in the hallway, salt-stained and perfectly happy."),
        ("p", "The commute is eleven kilometres each way, mostly along a river "
              "path that the city clears before the roads. That single fact "
              "did more for my winter than any gear I bought. A cleared path "
              "at six in the morning is a gift, and I have written to the "
              "parks department twice to say so."),
        ("h2", "What actually mattered"),
        ("p", "Studded tyres were the best money I spent, by a distance. They "
              "are loud on dry asphalt and slow to roll, but on black ice they "
              "are the difference between arriving and not arriving. I fitted "
              "them in November and took them off in April, and I never once "
              "fell."),
        ("p", "Lights came second. Days here are short, and for three months "
              "both legs of the commute happen in darkness. A bright front "
              "light that lasts the whole week on one charge, and a rear light "
              "that drivers actually notice, made me feel less like a ghost on "
              "the road."),
        ("quote", "Cold is a clothing problem; wet is a planning problem; dark "
                  "is a lighting problem. Only ice is a real problem."),
        ("p", "Clothing mattered less than I expected. Wool next to the skin, "
              "a windproof shell, and proper mittens covered everything down "
              "to minus eighteen. Below that, I took the tram, and I do not "
              "feel the least bit guilty about it."),
        ("h2", "The numbers"),
        ("p", "Over the year I rode about four thousand two hundred kilometres, "
              "spent roughly six hundred euros on the bike and its upkeep, and "
              "saved a sum on fuel, insurance and parking that I am still too "
              "embarrassed to tell my former self. The betting pool, for the "
              "record, was never paid out."),
    ])

SQLITE = dict(
    title="Why our small team keeps choosing SQLite",
    author="Priya Raman", date="2026-03-09T14:12:00+00:00", lang="en",
    blocks=[
        ("p", "Every few months someone new joins the team and asks, politely, "
              "when we are going to move to a real database. The question is "
              "fair, and the answer has been the same for four years: when "
              "SQLite stops being the simplest thing that works, which has not "
              "happened yet."),
        ("p", "Our service handles a few hundred writes a second at peak and "
              "many thousands of reads. It runs on one machine with a fast "
              "disk, and the whole database fits comfortably in memory. For "
              "that shape of workload, an embedded database removes an entire "
              "class of problems: there is no network hop, no connection pool, "
              "and no second process to monitor."),
        ("h2", "Write-ahead logging changed the picture"),
        ("p", "The feature that made this work is the write-ahead log. With "
              "<code>journal_mode=WAL</code>, readers do not block the writer "
              "and the writer does not block readers. We keep one writer "
              "thread that batches small transactions, and readers open their "
              "own connections as they need them."),
        ("pre", "PRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\n"
                "PRAGMA busy_timeout = 5000;"),
        ("p", "Those three lines, plus a habit of keeping transactions short, "
              "account for most of our performance. The rest came from indexes "
              "we should have created on day one and a query planner that "
              "tells you exactly what it is doing if you ask it."),
        ("h2", "What we gave up"),
        ("ul", ["Horizontal scaling, which we do not need and may never need.",
                "Some convenience around schema changes on very large tables.",
                "The ability to point a dozen tools at a network port."]),
        ("p", "Backups are a single file copy using the online backup API, and "
              "restoring one takes seconds. Our disaster recovery drill is so "
              "boring that we now run it every Friday afternoon, which is "
              "exactly how a disaster recovery drill should feel."),
        ("p", "None of this is an argument that everyone should use SQLite. It "
              "is an argument for choosing the database that fits the "
              "workload you have, rather than the one you imagine having in "
              "five years."),
    ])

HIKE = dict(
    title="Three days on the ridge trail, in mostly good weather",
    author="Tomas Ferreira", date="2025-09-21T18:45:00+02:00", lang="en",
    blocks=[
        ("p", "The forecast promised three dry days, which in these mountains "
              "is the kind of promise you accept gratefully and do not quite "
              "believe. We left the car at the lower hut on Friday morning with "
              "food for four days, just in case, and began the long climb "
              "through the larch forest."),
        ("p", "The first day is all ascent. The path zigzags up a south-facing "
              "slope, and by eleven the sun was fierce enough that we stopped "
              "at every stream to soak our hats. By mid-afternoon we reached "
              "the saddle, where the view opens to the west and the whole "
              "ridge lies ahead like the spine of some sleeping animal."),
        ("h2", "The exposed section"),
        ("p", "The second day is the reason people walk this trail, and the "
              "reason some of them turn back. For about two kilometres the "
              "ridge narrows to a crest a few metres wide, with steep drops on "
              "both sides. There are chains on the worst bits, and the rock is "
              "good, but you need a steady head and dry conditions."),
        ("p", "We crossed it early, before the wind picked up, and it was "
              "thrilling rather than frightening. Later that day we met a "
              "couple who had waited out a shower at the hut, and they said "
              "the wet rock had made the same stretch feel twice as long."),
        ("img", "images/ridge.jpg", "The narrow ridge",
         "The narrowest part of the ridge, seen from the north summit."),
        ("h2", "Practical notes"),
        ("ol", ["Book the middle hut ahead; it has only twenty beds.",
                "Carry more water than you think on day one; the streams dry "
                "up by August.",
                "Start the exposed section before nine if any wind is "
                "forecast."]),
        ("p", "On the third day the weather finally turned, as weather does. "
              "We walked down through cloud and light rain, and reached the "
              "car soaked, tired and already planning the next trip."),
    ])

COUNCIL = dict(
    title="Council approves budget with cuts to library hours",
    author="Elena Marsh", date="2026-02-26T21:10:00-05:00", lang="en",
    blocks=[
        ("p", "The city council approved next year's budget late on Wednesday "
              "after a six-hour session, voting seven to four for a plan that "
              "trims library opening hours, delays two road projects and "
              "raises parking fees in the downtown core."),
        ("p", "The mayor called the budget responsible and said the city had "
              "no choice after a drop in state funding and rising pension "
              "costs. Opponents said the cuts fell hardest on residents who "
              "depend on public services, and several speakers during the "
              "public comment period urged the council to protect the "
              "libraries."),
        ("p", "Under the plan, the three branch libraries will close on "
              "Mondays and open an hour later on weekdays. The central library "
              "keeps its current hours. Library staff will not be laid off, "
              "but six vacant positions will remain unfilled."),
        ("quote", "We heard every speaker tonight, and we will look at "
                  "restoring hours as soon as revenue allows, the council "
                  "president said."),
        ("p", "The parking increase, from two dollars to two-fifty an hour, is "
              "expected to raise about one point four million dollars a year. "
              "Business owners downtown had lobbied against it, arguing it "
              "would keep shoppers away during a fragile recovery."),
        ("p", "The delayed road projects include the resurfacing of Harbor "
              "Avenue, which residents have complained about for years. City "
              "engineers said the road is safe but will need more frequent "
              "patching until the work begins."),
        ("p", "The budget takes effect on July first. The council is expected "
              "to revisit library hours in the fall, when updated revenue "
              "figures are available."),
    ])

RAIN = dict(
    title="How a rain garden saved our basement",
    author="Dana Whitfield", date="2025-06-03T10:00:00-04:00", lang="en",
    blocks=[
        ("p", "For five springs in a row, our basement took on water. Never a "
              "flood, just a dark stain creeping across the floor after every "
              "heavy storm, and the smell that comes with it. We tried a "
              "dehumidifier, new gutters and a great deal of swearing before a "
              "neighbour suggested a rain garden."),
        ("p", "A rain garden is simply a shallow depression, planted with "
              "species that tolerate both flooding and drought, placed where "
              "water naturally runs. Instead of sending runoff toward the "
              "house, you invite it somewhere it can soak slowly into the "
              "ground."),
        ("h2", "Digging it"),
        ("p", "We chose a spot about four metres from the foundation, at the "
              "bottom of a gentle slope, and dug a kidney-shaped basin about "
              "twenty centimetres deep. The downspout now empties into a "
              "buried pipe that daylights at the top of the basin."),
        ("p", "The soil test mattered. Our clay drained so slowly that we "
              "mixed in a generous amount of compost and coarse sand, which "
              "the local extension office recommended for heavy soils."),
        ("h2", "Planting"),
        ("ul", ["Swamp milkweed and blue flag iris in the wettest middle.",
                "Switchgrass and black-eyed Susan on the slopes.",
                "A ring of native sedges at the edge to hold the soil."]),
        ("p", "The first storm after planting was a nervous evening. We stood "
              "at the window with a torch and watched the basin fill, hold, "
              "and drain within a day. The basement stayed dry, and it has "
              "stayed dry through two wet springs since."),
        ("p", "The bees arrived in the second summer, along with a family of "
              "goldfinches that strip the seed heads every autumn. Fixing the "
              "basement turned out to be the least interesting thing the "
              "garden does."),
    ])

RADIO = dict(
    title="Restoring a 1950s valve radio, one capacitor at a time",
    author="Henrik Aalto", date="2026-04-11T16:20:00+03:00", lang="en",
    blocks=[
        ("p", "The radio came from a house clearance for the price of a "
              "coffee. Its walnut case was scratched, the dial glass cracked, "
              "and the seller warned me it had not made a sound in decades. "
              "That was exactly what I was looking for."),
        ("p", "The golden rule of old valve sets is simple: do not plug them "
              "in. Paper capacitors from that era have almost certainly dried "
              "out or gone leaky, and switching on a set in that state can "
              "destroy a mains transformer that is far harder to replace than "
              "a handful of capacitors."),
        ("h2", "Recapping"),
        ("p", "I replaced every paper and electrolytic capacitor, working from "
              "a schematic I found in an old service manual. I did the job one "
              "component at a time, cutting out the old part only after the "
              "new one was ready, so the wiring never lost its shape."),
        ("pre", "C12  0.047uF 630V  audio coupling\nC14  0.1uF 400V    "
                "screen bypass\nC20  50uF 350V     reservoir"),
        ("p", "The coupling capacitor between the driver and output valves "
              "deserves special attention. If it leaks, it pulls the output "
              "valve's grid positive, the valve runs hot, and the output "
              "transformer can burn out within hours."),
        ("h2", "First light"),
        ("p", "I brought the set up slowly on a variable transformer over an "
              "hour, watching the current. At about eighty percent, the dial "
              "lamps glowed, the valves warmed to an orange glimmer, and a "
              "faint hum grew into a voice reading the shipping forecast."),
        ("p", "There is still work to do. The alignment is off, the dial cord "
              "slips, and the case needs a gentle clean rather than a "
              "refinish. But it plays, warm and round, and it has earned its "
              "place on the kitchen shelf."),
    ])

RUST = dict(
    title="Notes from my first month of writing Rust at work",
    author="Leah Okafor", date="2026-05-19T09:05:00+01:00", lang="en",
    blocks=[
        ("p", "Our team rewrote a small log-shipping daemon in Rust last "
              "month. It was nobody's idea of a flagship project, which is "
              "exactly why we picked it: small enough to finish, real enough "
              "to matter, and easy to roll back if it went wrong."),
        ("p", "The first week was humbling. The borrow checker rejected code "
              "that I was sure was fine, and about half the time it was right "
              "and I was not. The other half, I learned to restructure the "
              "code so the ownership was obvious, which usually made it "
              "clearer for humans too."),
        ("h2", "Things that surprised me"),
        ("ul", ["Error handling with Result felt verbose on day one and "
                "natural by day ten.",
                "Compile times were fine for a project this size.",
                "The standard library is smaller than I expected, and the "
                "crate ecosystem fills the gap."]),
        ("p", "The biggest surprise was how rarely we reached for a debugger. "
              "Most of our bugs were logic errors that showed up in tests, not "
              "crashes at three in the morning. The old daemon had a "
              "use-after-free that took two engineers a week to find; that "
              "entire category of bug is simply gone."),
        ("pre", "fn ship(batch: &[Line]) -> Result<(), ShipError> {\n"
                "    let body = encode(batch)?;\n    post(&body)\n}"),
        ("p", "We did hit friction. Async code was harder to read than we "
              "hoped, and a couple of dependencies pulled in far more than we "
              "needed. We ended up with a simple thread-per-connection design, "
              "which is unfashionable and works perfectly for our load."),
        ("p", "Would I do it again? For a long-running service that handles "
              "untrusted input, yes, without hesitation. For a throwaway "
              "script, I will keep reaching for something with less "
              "ceremony."),
    ])

BIRDS = dict(
    title="Counting birds at dawn for the winter survey",
    author="Grace Adeyemi", date="2026-01-05T06:40:00+00:00", lang="en",
    blocks=[
        ("p", "At ten to seven on a January morning the marsh is a grey smear "
              "under a lighter grey sky, and the only sound is the wind in the "
              "reeds. Then a curlew calls, long and falling, and the count "
              "begins."),
        ("p", "I have volunteered for the winter bird survey for six years. "
              "The method is deliberately simple: walk the same route at the "
              "same time, note every bird seen or heard within a set distance, "
              "and submit the numbers the same day. Individually, the counts "
              "are small. Together, across hundreds of routes, they show how "
              "populations change."),
        ("p", "This year the numbers were mixed. Lapwings were down again, "
              "continuing a slide that has worried everyone for a decade. "
              "Little egrets, almost unknown here when I started, were "
              "everywhere, stalking the ditches in their white breeding "
              "plumes."),
        ("h2", "Why volunteers matter"),
        ("p", "Professional ecologists cannot be everywhere at once. Surveys "
              "like this one rely on people who know their patch, who notice "
              "when the reed buntings arrive a week early or the teal stay a "
              "week late. That local knowledge, written down consistently, is "
              "worth more than any single expert visit."),
        ("quote", "You do not need to be an expert. You need to be patient, "
                  "honest about what you saw, and out of bed early."),
        ("p", "By half past eight the route was done: forty-one species, three "
              "hundred and twelve birds, two cold hands and one very good "
              "flask of tea. The data went in before breakfast. Next month, "
              "the same walk, the same time, and whatever the marsh decides "
              "to show me."),
    ])

TRAM = dict(
    title="New tram line to open in spring after two-year delay",
    author="Marco Bellini", date="2026-02-12T12:00:00+01:00", lang="en",
    blocks=[
        ("p", "The long-awaited tram line connecting the central station to "
              "the university campus will open to passengers in April, "
              "transport officials confirmed on Thursday, ending a delay of "
              "more than two years caused by utility relocations and a "
              "contractor dispute."),
        ("p", "Test runs have been under way since November. Officials said "
              "the remaining work consists of signal certification and driver "
              "training, both of which are on schedule. Trams will run every "
              "seven minutes at peak times and every twelve minutes in the "
              "evening."),
        ("p", "The six-kilometre line has eleven stops and is expected to "
              "carry about twenty-five thousand passengers a day once it "
              "settles in. It replaces two bus routes, which will be "
              "redirected to serve neighbourhoods east of the river."),
        ("p", "The project's final cost is estimated at three hundred and ten "
              "million euros, about eighteen percent over the original "
              "budget. An independent review published last year blamed most "
              "of the overrun on the discovery of undocumented gas and water "
              "pipes along the route."),
        ("quote", "It has been a long road, and we thank residents for their "
                  "patience through the construction, the transport director "
                  "said."),
        ("p", "Businesses along the route have had a difficult two years, with "
              "reduced foot traffic and blocked entrances. The city has "
              "promised a marketing campaign around the opening to bring "
              "shoppers back to the corridor."),
        ("p", "Fares will match the existing bus and tram network, and monthly "
              "passes will be valid on the new line from the first day."),
    ])

TELESCOPE = dict(
    title="A first look through the observatory's restored refractor",
    author="Ines Navarro", date="2025-11-08T22:30:00+01:00", lang="en",
    blocks=[
        ("p", "For forty years the great refractor in the old observatory dome "
              "did nothing but gather dust. Its brass tube had tarnished to "
              "brown, the clock drive was seized, and the dome itself leaked "
              "every time the wind came from the north."),
        ("p", "A group of amateur astronomers adopted it five years ago. They "
              "raised money with open evenings and a very persistent "
              "crowdfunding campaign, and they did much of the restoration "
              "themselves, under the eye of a retired optician who knew the "
              "instrument from his student days."),
        ("h2", "The lens"),
        ("p", "The biggest worry was the objective, a twenty-centimetre doublet "
              "made in the eighteen nineties. It turned out to be in "
              "remarkable shape: dirty, but unscratched, with no separation "
              "between the two elements. Cleaning it took a full weekend and "
              "a great deal of nerve."),
        ("p", "The clock drive was rebuilt with a small electric motor hidden "
              "inside the original housing, so the telescope can track the sky "
              "without anyone winding weights. Purists grumbled; observers "
              "were delighted."),
        ("h2", "First light"),
        ("p", "On the first clear night after the work was finished, the team "
              "pointed the telescope at Saturn. The rings were sharp and the "
              "Cassini division plainly visible, and for a moment nobody in "
              "the dome said anything at all."),
        ("p", "Public evenings begin next month, on the first Friday of each "
              "month, weather permitting. Booking is free but places are "
              "limited, because the dome holds only fifteen people at a "
              "time."),
    ])

COFFEE = dict(
    title="Roasting coffee at home with a popcorn machine",
    author="Sam Okonkwo", date="2026-06-30T11:11:00-07:00", lang="en",
    blocks=[
        ("p", "Home roasting sounds like the hobby of someone with too much "
              "counter space and too little to do. I thought so too, until a "
              "friend handed me a cup of coffee roasted that morning in a "
              "second-hand popcorn machine and I realised what I had been "
              "missing."),
        ("p", "The principle is simple. A hot-air popcorn popper blows air "
              "hot enough to roast beans and keeps them moving so they roast "
              "evenly. Eighty grams of green coffee takes six to nine minutes, "
              "depending on the machine, the beans and how dark you like it."),
        ("h3", "Listening for the cracks"),
        ("p", "Roasting is mostly listening. After a few minutes the beans "
              "make a sound like popcorn, the first crack, as water vapour "
              "escapes. A light roast stops shortly after. Keep going and a "
              "second, quieter crackle follows; stop there for a classic "
              "dark roast."),
        ("p", "Do this outside or under a strong extractor fan. The chaff "
              "flies everywhere, and a dark roast makes a surprising amount of "
              "smoke. My neighbours now know roasting day by the smell, and "
              "thankfully they seem to like it."),
        ("ul", ["Buy green beans from a supplier who lists the origin and "
                "process.",
                "Cool the beans quickly in a metal colander.",
                "Let them rest a day before brewing."]),
        ("p", "The results are not always perfect, but even my mistakes taste "
              "fresher than the supermarket bag I used to buy. And at about "
              "half the price per kilo, the popcorn machine paid for itself "
              "within a month."),
    ])

LIBRARY = dict(
    title="Inside the renovation of the old library reading room",
    author="Ruth Castellanos", date="2026-07-22T15:00:00+02:00", lang="en",
    blocks=[
        ("p", "The reading room reopened on Monday after eighteen months of "
              "work, and the first visitors through the door stopped in the "
              "doorway, as visitors did when it opened a century ago, to look "
              "up at the ceiling."),
        ("p", "The coffered plaster ceiling had been hidden for fifty years "
              "behind a suspended grid of acoustic tiles. Removing them "
              "revealed water damage, missing mouldings and, in one corner, a "
              "painter's signature and the date of the original work."),
        ("p", "Conservators rebuilt the missing mouldings from moulds taken "
              "from surviving sections, and the ceiling was repainted in the "
              "original pale green, matched from flakes found under later "
              "layers. The long oak tables were stripped, repaired and "
              "refinished, and each seat now has a power socket hidden in the "
              "table edge."),
        ("h2", "Light and sound"),
        ("p", "The tall windows were the other revelation. Decades of grime "
              "and a layer of tinted film had made the room gloomy; cleaned "
              "and reglazed, they flood it with daylight. New lighting, "
              "designed to be nearly invisible, fills in on winter "
              "afternoons."),
        ("p", "Acoustics were harder. Without the tiles, the room rang like a "
              "bell. The solution, developed with a university acoustics lab, "
              "uses sound-absorbing panels hidden behind the bookshelves and "
              "inside the window reveals."),
        ("p", "The library expects the room to be busy. Seats can be booked "
              "online, but a third are kept free for walk-in visitors every "
              "day, which the head librarian described as a promise to the "
              "neighbourhood."),
    ])

CHESS = dict(
    title="The chess club that meets in a laundromat",
    author="Olu Bankole", date="2026-08-14T19:30:00+01:00", lang="en",
    blocks=[
        ("p", "Every Thursday evening, between the dryers and the vending "
              "machine, a dozen people set up chessboards on the folding "
              "tables of a launderette on the high street. The owner started "
              "the club nine years ago because he was bored on slow nights, "
              "and it has outlived two changes of management."),
        ("p", "The players range from a nine-year-old who plays blitz faster "
              "than anyone can follow to a retired bus driver who has been "
              "working on the same opening for thirty years. Nobody pays a "
              "fee, and the only rule is that you move your game if someone "
              "needs the table to fold their washing."),
        ("p", "Last month the club entered its first league, against clubs "
              "with proper halls and rating lists. The team lost its first "
              "two matches, drew the third, and then won four in a row, "
              "finishing second in the division."),
        ("quote", "We are not the strongest club, but we might be the most "
                  "stubborn, said the team captain."),
        ("p", "The owner is proud and a little bemused. He still does not "
              "play, he says, but he has learned to recognise a good game by "
              "the silence around the board, and to keep the machines running "
              "until the last one ends."),
    ])

# Short articles: beaten on length by long comments unless hints count.
SHORT_NOTE = dict(
    title="Site maintenance this weekend",
    author="Admin", date="2026-03-01T09:00:00Z", lang="en",
    blocks=[
        ("p", "The forum will be offline on Saturday from eight in the morning "
              "until about noon while we move to a new server. Posts made "
              "before the move will be kept, but private messages sent during "
              "the last hour may need to be sent again."),
        ("p", "We are moving because the old machine is six years old and has "
              "started to fail in small, irritating ways. The new one is "
              "faster, quieter and, we hope, boring for a long time."),
        ("p", "Thank you for your patience, and see you on the other side."),
    ])

SHORT_REVIEW = dict(
    title="Review: the little pocket notebook that survived a year",
    author="Kit Morrow", date="2026-04-02T12:00:00+00:00", lang="en",
    blocks=[
        ("p", "I bought this notebook on a whim at a railway station, and it "
              "has been in my back pocket every day for a year. The cover has "
              "faded, the corners have rounded, and the stitched binding has "
              "not loosened at all."),
        ("p", "The paper takes pencil and fountain pen equally well, with no "
              "show-through on the thinner inks I tried. The only complaint is "
              "the ribbon, which frayed within a month."),
        ("p", "At this price, it is the best small notebook I have owned. "
              "Recommended, with scissors for the ribbon."),
    ])

GERMAN = dict(
    title="Warum unsere Stadtbibliothek jetzt auch Werkzeug verleiht",
    author="Katrin Vogel", date="2026-05-06T10:15:00+02:00", lang="de",
    blocks=[
        ("p", "Seit dem Frühjahr kann man in der Stadtbibliothek nicht nur "
              "Bücher, sondern auch Bohrmaschinen, Stichsägen und "
              "Nähmaschinen ausleihen. Die Idee kam von Leserinnen und Lesern, "
              "die sich fragten, warum jeder Haushalt eine Bohrmaschine "
              "besitzt, die im Durchschnitt nur wenige Minuten im Jahr läuft."),
        ("p", "Das Angebot ist überraschend beliebt. In den ersten drei "
              "Monaten wurden die Geräte mehr als vierhundert Mal ausgeliehen, "
              "am häufigsten die Leiter, der Teppichreiniger und ein "
              "Entfeuchter, der im Sommer kaum im Regal stand."),
        ("h2", "Reparieren statt wegwerfen"),
        ("p", "Einmal im Monat öffnet außerdem ein Reparaturcafé im Lesesaal. "
              "Ehrenamtliche helfen dabei, Toaster, Lampen und Fahrräder "
              "wieder in Gang zu bringen. Die Bibliothek stellt Werkzeug und "
              "Kaffee, die Besucher bringen Geduld und kaputte Geräte mit."),
        ("p", "Die Leiterin der Bibliothek sieht darin keinen Widerspruch zum "
              "klassischen Auftrag des Hauses. Bibliotheken hätten schon "
              "immer geteilt, was sich der Einzelne nicht leisten könne oder "
              "nicht dauernd brauche, sagt sie, früher eben vor allem Wissen "
              "in Buchform."),
        ("p", "Für den Herbst ist eine Erweiterung geplant: ein kleiner "
              "Fundus an Campingausrüstung, von Zelten bis zu Kochern, für "
              "Familien, die einmal ausprobieren möchten, ob ihnen Urlaub im "
              "Freien gefällt."),
    ])

FRENCH = dict(
    title="Un potager sur le balcon, bilan de la première saison",
    author="Claire Dubois", date="2025-10-02T08:00:00+02:00", lang="fr",
    blocks=[
        ("p", "Au printemps dernier, j'ai décidé de transformer les quatre "
              "mètres carrés de mon balcon en potager. Je n'avais aucune "
              "expérience, un budget modeste et une exposition plein sud qui, "
              "je l'ai vite compris, est à la fois une chance et un défi."),
        ("p", "Les tomates cerises ont été la grande réussite de la saison. "
              "Trois plants, installés dans des bacs profonds et arrosés "
              "chaque soir, ont produit plus de fruits que nous ne pouvions "
              "en manger. Les voisins en ont profité, et m'ont rendu la "
              "politesse avec des confitures."),
        ("h2", "Ce qui n'a pas marché"),
        ("p", "Les salades, en revanche, ont monté en graines dès les "
              "premières chaleurs de juin. Le basilic a souffert du vent, et "
              "les courgettes, trop gourmandes en place, ont fini par envahir "
              "la table du petit déjeuner sans donner grand-chose."),
        ("p", "L'an prochain, je sèmerai les salades plus tôt, à l'ombre des "
              "tomates, et je remplacerai les courgettes par des haricots "
              "grimpants, qui profiteront de la rambarde. Un balcon, c'est "
              "petit, mais c'est aussi vertical."),
        ("p", "Au total, le potager m'a coûté une centaine d'euros et quelques "
              "soirées. Il m'a rapporté bien plus, à commencer par le plaisir "
              "de manger une tomate encore chaude de soleil."),
    ])

ARTICLES = [SOURDOUGH, BIKE, SQLITE, HIKE, COUNCIL, RAIN, RADIO, RUST, BIRDS,
            TRAM, TELESCOPE, COFFEE, LIBRARY, CHESS]

# --- boilerplate ----------------------------------------------------------

MENUS = [
    ["Home", "Archive", "About", "Projects", "Contact"],
    ["News", "World", "Business", "Tech", "Science", "Opinion", "Sport",
     "Culture"],
    ["Start here", "Recipes", "Equipment", "Newsletter", "Shop"],
    ["Blog", "Talks", "Reading list", "Uses", "Now"],
]

COOKIE_TEXTS = [
    "We use cookies and similar technologies to remember your preferences, "
    "measure how our site is used, and show you relevant advertising. By "
    "clicking accept, you agree to the storing of cookies on your device, "
    "as described in our cookie policy, which you can change at any time.",
    "This website stores data such as cookies to enable essential site "
    "functionality, as well as marketing, personalization, and analytics. "
    "You may change your settings at any time or accept the default "
    "settings.",
    "Our partners and we process personal data, including identifiers, "
    "browsing behaviour and approximate location, to personalise content "
    "and ads, to provide social media features and to analyse our traffic.",
]

COMMENTS = [
    ("Harriet", "I have been doing this for years, and honestly the single "
     "biggest improvement came from the same realisation you describe, that "
     "the environment matters more than the instructions. My kitchen is cold "
     "in winter too, so I keep everything in a picnic cooler with a jar of "
     "warm water, changed twice a day, and the results have been consistent "
     "ever since, which I never managed before, no matter how many books I "
     "read or how many videos I watched late at night."),
    ("Dev", "Great write-up, thank you. One small disagreement, though: in my "
     "experience the cheap option is fine for a season or two, but it does "
     "not last, and replacing it every other year ends up costing more than "
     "buying the better one at the start, especially when you add the time "
     "spent shopping, returning and setting things up again, which nobody "
     "ever counts in these comparisons."),
    ("Agnieszka", "Reading this brought back memories of my grandfather, who "
     "did exactly the same thing in a tiny flat with no proper equipment at "
     "all, using only what he could borrow, salvage or make, and who would "
     "have laughed at the idea that any of it needed a blog post, although "
     "he would have enjoyed reading this one, I think, and argued with every "
     "second sentence of it over a long dinner."),
    ("marco_t", "Does anyone know whether the same approach works in a warmer "
     "climate? Everything I read seems to assume long cold winters, and where "
     "I live the problem is the opposite, with humidity and heat for most of "
     "the year, so I would love to hear from readers who have adapted this to "
     "tropical conditions, what they changed, and what they would never try "
     "again."),
    ("Lena K.", "Thanks for mentioning the failures, not just the successes. "
     "So many posts make everything look effortless, and then you try it and "
     "feel like the only person in the world who cannot get it right, when "
     "the truth is that everyone struggles at the start, and it helps a lot "
     "to read that from someone who clearly knows what they are doing now."),
    ("Oskar", "I tried this after reading your earlier post and it worked on "
     "the second attempt, after a first attempt that I will not describe "
     "here, except to say that the smoke alarm, the neighbours and the cat "
     "were all involved, and that none of them has quite forgiven me, "
     "although the result of the second attempt went some way towards "
     "making amends."),
]

NEWSLETTERS = [
    "Get the best stories in your inbox every Friday morning. No spam, "
    "unsubscribe at any time, and we never share your address.",
    "Enjoyed this post? Join eleven thousand readers who get new essays "
    "delivered straight to their inbox, free, twice a month.",
    "Sign up for our daily briefing with the headlines you need to start "
    "your day, hand-picked by our editors.",
]

RELATED = [
    ["The beginner's guide to proofing baskets",
     "Ten mistakes I made in my first year",
     "Why I stopped buying commercial yeast"],
    ["Five apps every cyclist should install",
     "The great helmet debate, revisited",
     "Our readers' favourite winter routes"],
    ["Postgres tips we learned the hard way",
     "A gentle introduction to query planners",
     "How we cut our cloud bill in half"],
    ["Mayor unveils plan for new bike lanes",
     "School board election results",
     "Weekend road closures announced downtown"],
]

SHARE_LABELS = ["Share on Facebook", "Share on X", "Share on LinkedIn",
                "Email this article", "Copy link"]

FOOTERS = [
    "Copyright 2026 Example Media Group. All rights reserved. Reproduction "
    "in whole or in part without permission is prohibited.",
    "Made with care in a small flat by the sea. Powered by coffee and "
    "open-source software.",
    "Example Gazette is an independent, reader-funded newsroom serving the "
    "region since 1921. Support local journalism by becoming a member "
    "today.",
]

SIDEBAR = [
    "About me: I write about food, tools and the slow craft of doing things "
    "by hand. This blog has no ads and no sponsors.",
    "Popular posts this month, hand-picked from the archive by our editors "
    "for new readers.",
]
