"""Voice ordering, the pure part: the speech-engine port, what a merchant's customers are likely to say
(menu -> pronunciation dictionary, bigram language model, prompt), word error rate, and the mapping of
what an engine heard onto the menu (misheard names put back, the reading that fits the menu chosen).

Engines and audio decoding live in server/voice; every transcript is mapped onto the menu by
core.parsing.parse_order.
"""
from core.voice.arpa import bigram_arpa
from core.voice.engine import SAMPLE_RATE, SpeechEngine, Transcript, as_float32, as_int16, choose_engine
from core.voice.errors import VoiceError
from core.voice.menu_match import MenuVocabulary, menu_vocabulary, snap_to_menu
from core.voice.phonetic import sound_distance
from core.voice.pronounce import dictionary_text, guess_pronunciation, guess_pronunciations, parse_dictionary
from core.voice.reading import Reading, choose_reading
from core.voice.vocabulary import lm_words, menu_prompt, number_words, order_sentences
from core.voice.wer import edit_distance, spoken_words, word_error_rate

__all__ = [
    "SAMPLE_RATE", "MenuVocabulary", "Reading", "SpeechEngine", "Transcript", "VoiceError", "as_float32",
    "as_int16", "bigram_arpa", "choose_engine", "choose_reading", "menu_vocabulary", "snap_to_menu",
    "sound_distance", "dictionary_text", "edit_distance", "guess_pronunciation", "guess_pronunciations", "lm_words", "menu_prompt",
    "number_words", "order_sentences", "parse_dictionary", "spoken_words", "word_error_rate",
]
