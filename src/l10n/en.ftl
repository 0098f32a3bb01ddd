# rapport's reports in English. Every id here is in nl.ftl too, with the
# same arguments (a test checks). Numbers with decimals come already written
# the language's way; counts ($n, $speakers…) choose plural forms.

## Words used everywhere

list-and = { $rest } and { $last }
role-consultant = Consultant
role-client = Client
role-other = Other
not-available = n/a

language-en = English
language-nl = Dutch
language-de = German
language-fr = French
language-es = Spanish
language-it = Italian
language-pt = Portuguese
language-pl = Polish
language-tr = Turkish
language-ar = Arabic
language-zh = Chinese
language-ru = Russian
language-uk = Ukrainian
language-da = Danish
language-sv = Swedish
language-no = Norwegian

## Notes on the transcript

note-roles-configured = roles from rapport.toml: { $consultant } is the consultant
note-roles-configured-nobody = roles from rapport.toml: nobody is the consultant
note-roles-first-track = roles assumed: track 1 is taken for the consultant; pass --consultant to say which track is
note-roles-first-speaker = roles assumed: the first to speak ({ $consultant }) is taken for the consultant; pass --consultant NAME, or list the consultant's names in rapport.toml
note-roles-first-speaker-nobody = roles assumed: nobody spoke, so nobody is taken for the consultant; pass --consultant NAME, or list the consultant's names in rapport.toml
note-roles-mixed-track = one mixed track on which one voice was heard (or voices too alike to tell apart), so nothing is attributed to the consultant or the client; --speakers N splits it into N
note-roles-unnamed = the transcript names no speakers, so nothing is attributed to the consultant or the client
note-silent-track = no speech on track { $track } ({ $name }): was this side recorded?
note-builtin-voices = the voice model is not installed (`rapport model install`), so voices were told apart by the built-in spectral method, which splits one voice into several on some recordings
note-voices = one mixed track: the speakers were told apart by their voices ({ $speakers } speakers, { $estimated ->
        [yes] estimated: --speakers N sets the number
       *[no] as given
    }; voice separation { $separation } on a 0–1 scale), so who said what and the talk shares are estimates ({ $method ->
        [prints] by voice prints; on real two-person test calls the shares were off by 0.4 to 1.2 points
       *[builtin] by the built-in spectral method; on real two-person test calls the shares were off by 0.3 to 8 points
    })
note-not-scored = { $reason }; the call is not scored as a conversation
one-sided-one-voice = one voice heard: the other side may not have been recorded
one-sided-one-track = one voice heard: the other side may not have been recorded (only { $name } spoke; the other { $silent ->
        [one] track is
       *[other] tracks are
    } silent)
one-sided-same-voice = one voice heard: the other side may not have been recorded ({ $first } and { $second } are the same voice: one is the other's echo or a copy)
note-imported = imported from the transcript { $file }: no audio was heard, and talk time is the length of each person's cues
note-cues-sorted = the cues in { $file } were out of order; they were sorted by start time
note-dutch-by-rules = Dutch is read by rapport's rules alone (the learned detectors learned English), and their accuracy has not been measured on labelled Dutch calls
withheld-language = the call is in { $language }, and rapport's signals read { $read } only so far
withheld-other-language = the call is in another language, and rapport's signals read { $read } only so far

## What each signal measured (the key numbers)

summary-without-roles = who is the consultant and who the client is unknown
summary-check-understanding-unknown = { $n ->
        [one] 1 moment
       *[other] { $n } moments
    }; by whom is unknown
summary-check-understanding = { $n ->
        [one] 1 moment
       *[other] { $n } moments
    }: the consultant asked whether it made sense { $checks ->
        [one] 1 time
       *[other] { $checks } times
    }, explained { $explains ->
        [one] 1 time
       *[other] { $explains } times
    }, summarised the client { $summaries ->
        [one] 1 time
       *[other] { $summaries } times
    }, reflected the client { $reflections ->
        [one] 1 time
       *[other] { $reflections } times
    }
summary-handback = the consultant handed the decision to the client { $n ->
        [one] 1 time
       *[other] { $n } times
    }
summary-handback-unknown = { $n ->
        [one] 1 decision
       *[other] { $n } decisions
    } handed back; by whom is unknown
summary-directive-unknown = { $n ->
        [one] 1 directive
       *[other] { $n } directives
    }; by whom is unknown
summary-directive = the consultant told the client what to do { $unasked ->
        [one] 1 time
       *[other] { $unasked } times
    } unasked and { $asked ->
        [one] 1 time
       *[other] { $asked } times
    } with permission
summary-interruptions = the consultant talked over the client { $n ->
        [one] 1 time
       *[other] { $n } times
    } ({ $per_hour } an hour)
summary-patience-none = the consultant never replied to the client after a pause
summary-patience = the consultant's median pause before replying was { $reply } s, against { $call } s for the whole call; { $quick ->
        [one] 1 reply
       *[other] { $quick } replies
    } came faster than { $quick_seconds } s
summary-options-unknown = { $n ->
        [one] 1 option
       *[other] { $n } options
    } put forward; who offered them is unknown
summary-options = the consultant put { $n ->
        [one] 1 option
       *[other] { $n } options
    } before the client ({ $alternatives } naming alternatives); the client suggested { $client }
summary-out-of-school = { $n ->
        [one] 1 moment
       *[other] { $n } moments
    } to review for another party's confidences
summary-out-of-school-unknown = { $n ->
        [one] 1 moment
       *[other] { $n } moments
    } to review for another party's confidences; by whom is unknown
summary-promises-unknown = { $n ->
        [one] 1 commitment
       *[other] { $n } commitments
    } made ({ $specific } with a what and a when); who made them is unknown
summary-promises = the consultant made { $n ->
        [one] 1 promise
       *[other] { $n } promises
    }, { $vague } of them vague (no what or no when); the client committed to { $client ->
        [one] 1 thing
       *[other] { $client } things
    }
summary-questions-unknown = { $n ->
        [one] 1 question
       *[other] { $n } questions
    } asked ({ $open } open); who asked them is unknown
summary-questions = the consultant asked { $n ->
        [one] 1 question
       *[other] { $n } questions
    } ({ $per_hour } an hour), { $open } of them open; the client asked { $client }
summary-talk-unknown = talk time: { $listing }; who is the consultant is unknown
summary-talk-client-silent = the client was never heard: check that their side was recorded
summary-talk = the consultant spoke { $consultant } of the time and the client { $client } ({ $consultant_words } and { $client_words } of the words)
summary-stretch-silent = { $who ->
        [client] the client did not speak
       *[consultant] the consultant did not speak
    }
summary-stretch = { $who ->
        [client] the client's
       *[consultant] the consultant's
    } longest stretch ran { $seconds } s, from { $from }; { $over } longer than { $over_seconds } s

## The score

reason-not-scored = not scored: { $reason }
reason-not-measured = not measured: { $why }
reason-signal-did-not-run = not measured: the signal did not run

## The scorecard and the transcript

participants = { $n ->
        [one] 1 participant
       *[other] { $n } participants
    }
label-talk = talk
label-note = note
detectors-rules = rules
heading-score = Client in control
heading-key-numbers = Key numbers
label-detectors = detectors
heading-evidence = Evidence

## The HTML pages

page-footer = Made by rapport on this machine; nothing in this page was sent anywhere.
page-score = client in control, out of 100
page-rubric = rubric
page-the-client = the client
page-who-spoke-when = Who spoke when
page-timeline = timeline of the call
column-when = when
column-who = who
column-signal = signal
column-said = what was said
page-notes = Notes

## The week summary

status-followed-up = followed up
status-overdue = overdue
status-not-mentioned = not mentioned since
status-open = open
untrackable-no-client = the call has no client; name the client in calls.toml to follow its promises
untrackable-voices = the recording's voices carry no names ("{ $name }"); name the client in calls.toml to follow its promises
untrackable-role = "{ $name }" is a role, not a name, and would merge different clients; name the client in calls.toml to follow its promises
untrackable-no-deliverable = it names no deliverable to look for in later calls
week-tally = { $calls ->
        [one] 1 call
       *[other] { $calls } calls
    }, { $promises ->
        [one] 1 promise
       *[other] { $promises } promises
    } ({ $followed_up } followed up, { $overdue } overdue, { $not_mentioned } not mentioned since, { $open } open)
week-promises = promises: { $made } made, { $followed_up } followed up, { $overdue } overdue, { $not_mentioned } not mentioned since, { $open } open (as of { $as_of })
week-no-client = no named client
week-no-date = no date
week-due = due { $date }
week-promised = { $owner } promised "{ $what }"{ $when } in { $call } at { $at }
week-untrackable = cannot be followed: { $why }
week-untrackable-count = { $n ->
        [one] 1 promise cannot
       *[other] { $n } promises cannot
    } be followed: { $why }
week-average = average of { $n } calls
week-failed = failed
column-date = date
column-call = call
column-length = length
column-score = score
column-talk = talk
column-questions = questions
column-options = options
column-promises = promises
week-undated = undated
weekday-monday = Mon
weekday-tuesday = Tue
weekday-wednesday = Wed
weekday-thursday = Thu
weekday-friday = Fri
weekday-saturday = Sat
weekday-sunday = Sun
trend-talk-share = consultant talk share
trend-questions = consultant questions
trend-options = options offered
trend-promises = promises made
week-title-span = Calls of { $first } to { $last }
week-title-day = Calls of { $day }
week-title = Calls
week-subtitle = { $n ->
        [one] 1 call
       *[other] { $n } calls
    } · { $length } of calls
week-failed-count = { $n } failed
week-no-client-heading = Calls that name no client
week-no-later-call = no later call with this client yet
week-not-mentioned-in = not mentioned in { $n ->
        [one] 1 later call
       *[other] { $n } later calls
    }
status-open-untrackable = open (cannot be followed)
week-no-time = no time said
week-none-found = None found.
column-what = what
column-client = client
column-status = status
column-due = due
column-by-whom = by whom
column-made-in = made in
column-since = since
week-average-score = average client-in-control score, out of 100
week-scores = Scores over the week
week-trends = Trends, call by call
week-first = first
week-last = last
week-mean = average
week-calls = Calls
week-moments-keep = Moments to keep
week-moments-learn = Moments to learn from
week-promises-heading = Promises, client by client
week-ledger-explained = As of { $as_of }. A promise is followed up when a later call with the same client uses the deliverable's words; that is word matching, not proof of delivery. The client is the one calls.toml names, else a client's name in the transcript; a role ("Patient", "Speaker 2") names nobody, and a recording's channels carry no names, so their promises cannot be followed until the manifest names the client.
week-no-promises = No promises were made.
week-failed-heading = Failed
week-score-bars = score of each call

## Names shown for ids (in English, the ids themselves)

dimension-control = control
dimension-discretion = discretion
dimension-understanding = understanding
dimension-reliability = reliability

signal-talk-share = talk-share
signal-questions = questions
signal-options-offered = options-offered
signal-decision-handback = decision-handback
signal-promises = promises
signal-monologue = monologue
signal-client-story = client-story
signal-interruptions = interruptions
signal-patience = patience
signal-check-understanding = check-understanding
signal-out-of-school = out-of-school
signal-directive-advice = directive-advice

kind-check = check
kind-explain = explain
kind-reflection = reflection
kind-summary = summary
kind-client-story = client-story
kind-handback = handback
kind-directive = directive
kind-with-permission = with-permission
kind-interruption = interruption
kind-monologue = monologue
kind-alternatives = alternatives
kind-offer = offer
kind-option = option
kind-suggestion = suggestion
kind-third-party = third-party
kind-confidence = confidence
kind-quick-reply = quick-reply
kind-client-commitment = client-commitment
kind-commitment = commitment
kind-promise = promise
kind-vague-promise = vague-promise
kind-closed = closed
kind-open = open
