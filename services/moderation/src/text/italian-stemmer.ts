/**
 * The Snowball Italian stemmer (https://snowballstem.org/algorithms/italian/stemmer.html), on
 * words already folded by the normalizer: lower case and without accents, so the accented
 * suffixes of the algorithm (`-ità`, `-erò`) appear here without theirs. One stem stands for a
 * word's inflections: ammazzo, ammazzerò, ammazzarvi → ammazz; minaccia, minacce → minacc.
 * Pure and allocation-light: it runs on every word of every message.
 */

const isVowel = (c: string | undefined) => c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u'

// Longest first within each list, so the first match is the longest suffix.
const byLength = (list: string[]) => list.sort((a, b) => b.length - a.length)

const PRONOUNS = byLength(
  'ci gli la le li lo mi ne si ti vi sene gliela gliele glieli glielo gliene mela mele meli melo mene tela tele teli telo tene cela cele celi celo cene vela vele veli velo vene'.split(' '),
)
const STEP1_DELETE_R2 = byLength(
  'anza anze ico ici ica ice iche ichi ismo ismi abile abili ibile ibili ista iste isti oso osi osa ose mente atrice atrici ante anti'.split(' '),
)
const STEP1_AZIONE = byLength('azione azioni atore atori'.split(' '))
const STEP1_LOGIA = ['logia', 'logie']
const STEP1_UZIONE = byLength('uzione uzioni usione usioni'.split(' '))
const STEP1_ENZA = ['enza', 'enze']
const STEP1_AMENTO = byLength('amento amenti imento imenti'.split(' '))
const STEP1_IVO = ['ivo', 'ivi', 'iva', 'ive']
const VERB_SUFFIXES = byLength(
  ('ammo ando ano are arono asse assero assi assimo ata ate ati ato ava avamo avano avate avi avo emmo enda ende endi endo era erai ' +
    'eranno ere erebbe erebbero erei eremmo eremo ereste eresti erete ero erono essero ete eva evamo evano evate evi evo iamo immo ' +
    'ira irai iranno ire irebbe irebbero irei iremmo iremo ireste iresti irete iro irono isca iscano isce isci isco iscono issero ' +
    'ita ite iti ito iva ivamo ivano ivate ivi ivo ono uta ute uti uto ar ir').split(' '),
)

function regions(w: string): { rv: number; r1: number; r2: number } {
  const n = w.length
  let rv = n
  if (n >= 2) {
    if (!isVowel(w[1])) {
      for (let i = 2; i < n; i++) if (isVowel(w[i])) {
        rv = i + 1
        break
      }
    } else if (isVowel(w[0]) && isVowel(w[1])) {
      for (let i = 2; i < n; i++) if (!isVowel(w[i])) {
        rv = i + 1
        break
      }
    } else rv = 3
  }
  const after = (from: number) => {
    for (let i = from + 1; i < n; i++) if (!isVowel(w[i]) && isVowel(w[i - 1])) return i + 1
    return n
  }
  const r1 = after(0)
  const r2 = after(r1)
  return { rv: Math.min(rv, n), r1, r2: Math.max(r2, r1) }
}

function longest(w: string, list: readonly string[]): string | undefined {
  for (const s of list) if (w.endsWith(s)) return s
  return undefined
}

/** The stem of one folded word (letters a–z; other words come back unchanged). */
export function stemItalian(word: string): string {
  if (word.length < 3 || !/^[a-z]+$/.test(word)) return word
  // Mark u after q, and i/u between vowels, as consonants (upper case), as the algorithm says.
  let w = word.replace(/qu/g, 'qU')
  w = w.replace(/([aeiou])([iu])(?=[aeiou])/g, (_m, a: string, b: string) => a + b.toUpperCase())
  const { rv, r1, r2 } = regions(w)
  const inR = (suffix: string, start: number) => w.length - suffix.length >= start

  // Step 0: attached pronouns after a gerund or an infinitive.
  const pronoun = longest(w, PRONOUNS)
  if (pronoun && inR(pronoun, rv)) {
    const before = w.slice(0, -pronoun.length)
    if ((before.endsWith('ando') || before.endsWith('endo')) && before.length - 4 >= rv) w = before
    else if ((before.endsWith('ar') || before.endsWith('er') || before.endsWith('ir')) && before.length - 2 >= rv) w = `${before}e`
  }

  // Step 1: standard suffixes.
  const before = w
  let s: string | undefined
  if ((s = longest(w, STEP1_AMENTO)) && inR(s, rv)) w = w.slice(0, -s.length)
  else if ((s = longest(w, STEP1_AZIONE)) && inR(s, r2)) {
    w = w.slice(0, -s.length)
    if (w.endsWith('ic') && w.length - 2 >= r2) w = w.slice(0, -2)
  } else if ((s = longest(w, STEP1_UZIONE)) && inR(s, r2)) w = `${w.slice(0, -s.length)}u`
  else if ((s = longest(w, STEP1_LOGIA)) && inR(s, r2)) w = `${w.slice(0, -s.length)}log`
  else if ((s = longest(w, STEP1_ENZA)) && inR(s, r2)) w = `${w.slice(0, -s.length)}ente`
  else if (w.endsWith('amente') && inR('amente', r1)) {
    w = w.slice(0, -6)
    if (w.endsWith('iv') && w.length - 2 >= r2) {
      w = w.slice(0, -2)
      if (w.endsWith('at') && w.length - 2 >= r2) w = w.slice(0, -2)
    } else {
      const t = ['abil', 'os', 'ic'].find((x) => w.endsWith(x))
      if (t && w.length - t.length >= r2) w = w.slice(0, -t.length)
    }
  } else if (w.endsWith('ita') && inR('ita', r2)) {
    w = w.slice(0, -3)
    const t = ['abil', 'ic', 'iv'].find((x) => w.endsWith(x))
    if (t && w.length - t.length >= r2) w = w.slice(0, -t.length)
  } else if ((s = longest(w, STEP1_IVO)) && inR(s, r2)) {
    w = w.slice(0, -s.length)
    if (w.endsWith('at') && w.length - 2 >= r2) {
      w = w.slice(0, -2)
      if (w.endsWith('ic') && w.length - 2 >= r2) w = w.slice(0, -2)
    }
  } else if ((s = longest(w, STEP1_DELETE_R2)) && inR(s, r2)) w = w.slice(0, -s.length)

  // Step 2: verb suffixes, only when step 1 removed nothing.
  if (w === before) {
    const v = longest(w, VERB_SUFFIXES)
    if (v && inR(v, rv)) w = w.slice(0, -v.length)
  }

  // Step 3a: a final vowel, and an i before it, in RV.
  if (w.length - 1 >= rv && /[aeio]$/.test(w)) {
    w = w.slice(0, -1)
    if (w.endsWith('i') && w.length - 1 >= rv) w = w.slice(0, -1)
  }
  // Step 3b: ch → c, gh → g in RV.
  if ((w.endsWith('ch') || w.endsWith('gh')) && w.length - 2 >= rv) w = w.slice(0, -1)
  return w.toLowerCase()
}
