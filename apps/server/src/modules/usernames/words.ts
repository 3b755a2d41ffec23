/**
 * The curated word lists of generated usernames (SPEC §2.3): Adjective + Noun
 * + digits, e.g. `SwiftWolf123`. Friendly, clean words only; `generator.test.ts`
 * runs every pairing through the profanity check. Keep each word short enough
 * that a pairing still fits 15 characters with its digits.
 */
export const ADJECTIVES = [
  'Agile', 'Amber', 'Azure', 'Bold', 'Brave', 'Breezy', 'Bright', 'Bubbly', 'Calm', 'Cheery',
  'Chill', 'Clever', 'Coral', 'Cosmic', 'Cozy', 'Crisp', 'Curly', 'Dapper', 'Daring', 'Dreamy',
  'Eager', 'Epic', 'Fancy', 'Fluffy', 'Frosty', 'Fuzzy', 'Gentle', 'Giddy', 'Glad', 'Golden',
  'Grand', 'Groovy', 'Handy', 'Happy', 'Hearty', 'Humble', 'Icy', 'Jazzy', 'Jolly', 'Jumpy',
  'Keen', 'Kind', 'Lively', 'Loyal', 'Lucky', 'Lunar', 'Magic', 'Mellow', 'Merry', 'Mighty',
  'Misty', 'Modest', 'Mossy', 'Nifty', 'Nimble', 'Noble', 'Peppy', 'Perky', 'Plucky', 'Polite',
  'Proud', 'Quick', 'Quiet', 'Quirky', 'Rapid', 'Rosy', 'Royal', 'Rustic', 'Shiny', 'Silent',
  'Silver', 'Sleek', 'Smart', 'Snappy', 'Snowy', 'Solar', 'Sparky', 'Spicy', 'Steady', 'Stellar',
  'Stormy', 'Sturdy', 'Sunny', 'Super', 'Swift', 'Tidy', 'Tiny', 'Topaz', 'True', 'Upbeat',
  'Velvet', 'Vivid', 'Warm', 'Wise', 'Witty', 'Zany', 'Zesty', 'Zippy',
] as const;

export const NOUNS = [
  'Acorn', 'Aurora', 'Badger', 'Bear', 'Beaver', 'Bison', 'Breeze', 'Bunny', 'Cactus', 'Canyon',
  'Cedar', 'Cloud', 'Comet', 'Condor', 'Coyote', 'Cricket', 'Dolphin', 'Dragon', 'Dune', 'Eagle',
  'Ember', 'Falcon', 'Ferret', 'Finch', 'Flame', 'Forest', 'Fox', 'Gecko', 'Glacier', 'Harbor',
  'Hawk', 'Heron', 'Island', 'Jaguar', 'Kiwi', 'Koala', 'Lagoon', 'Lemur', 'Lion',
  'Llama', 'Lotus', 'Lynx', 'Mango', 'Maple', 'Marble', 'Meadow', 'Meteor', 'Moose', 'Moth',
  'Nebula', 'Newt', 'Nugget', 'Oak', 'Ocean', 'Orca', 'Orchid', 'Otter', 'Owl', 'Panda',
  'Panther', 'Parrot', 'Pebble', 'Pelican', 'Penguin', 'Phoenix', 'Pine', 'Pixel', 'Planet', 'Prairie',
  'Puffin', 'Quasar', 'Quokka', 'Rabbit', 'Raven', 'Reef', 'River', 'Robin', 'Rocket', 'Rover',
  'Saturn', 'Sparrow', 'Squid', 'Star', 'Storm', 'Summit', 'Swan', 'Thunder', 'Tiger', 'Toucan',
  'Tundra', 'Turtle', 'Valley', 'Waffle', 'Walrus', 'Whale', 'Willow', 'Wolf', 'Wombat', 'Yak',
  'Zebra',
] as const;
