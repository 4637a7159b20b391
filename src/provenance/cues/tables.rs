//! The phrase tables every cue rule is driven by: built-in agencies and their aliases,
//! credit preambles and labels, photo labels, sign-off and byline leads, media nouns, date
//! triggers and month names in several languages. Data only: matching is in [`super::lexicon`]
//! (the phrase index built from these tables) and the rule files.

/// Built-in agencies, one per row: canonical name, then aliases, separated by "|".
pub(super) const BUILTIN: &[&str] = &[
    "VNA|TTXVN|Vietnam News Agency|Viet Nam News Agency|Thông tấn xã Việt Nam|TTX Việt Nam",
    "Reuters|Thomson Reuters|路透社|ロイター",
    "AP|Associated Press|AP Photo|美联社|美聯社",
    "AFP|Agence France-Presse|Agence France Presse|法新社",
    "Xinhua|Xinhua News Agency|新华社|新華社|Tân Hoa xã",
    "dpa|Deutsche Presse-Agentur",
    "ANSA|Agenzia Nazionale Stampa Associata",
    "PA|Press Association|PA Media",
    "Bernama|Pertubuhan Berita Nasional Malaysia",
    "Kyodo|Kyodo News|共同通信|共同通信社|共同社|共同",
    "Yonhap|Yonhap News Agency|연합뉴스|韩联社|韓聯社",
    "EFE|Agencia EFE",
    "ANTARA|Antara News|LKBN ANTARA",
    "TASS|ТАСС|ITAR-TASS",
    "RIA Novosti|РИА Новости|RIA",
    "PTI|Press Trust of India",
    "IANS|Indo-Asian News Service",
    "AAP|Australian Associated Press",
    "CP|Canadian Press",
    "UPI|United Press International",
    "Bloomberg|Bloomberg News",
    "Anadolu|Anadolu Agency|Anadolu Ajansı|AA",
    "KUNA|Kuwait News Agency",
    "WAM|Emirates News Agency",
    "SPA|Saudi Press Agency",
    "APA|Austria Presse Agentur",
    "TT|Tidningarnas Telegrambyrå",
    "NTB|Norsk Telegrambyrå",
    "Ritzau|Ritzaus Bureau",
    "ANP|Algemeen Nederlands Persbureau",
    "Belga",
    "Lusa",
    "PAP|Polska Agencja Prasowa",
    "ČTK|CTK|Česká tisková kancelář",
    "MTI",
    "Interfax",
    "Ukrinform",
    "IRNA",
    "PNA|Philippine News Agency",
    "KPL|Lao News Agency",
    "AKP|Agence Kampuchea Presse",
    "BSS|Bangladesh Sangbad Sangstha",
    "APP|Associated Press of Pakistan",
    "MENA|Middle East News Agency",
    "QNA|Qatar News Agency",
    "EPA|European Pressphoto Agency|EPA-EFE",
    "Getty Images|Getty",
];
/// Agencies that credit pictures only: ignored outside photo credits ("EPA" is also a US
/// government agency).
pub(super) const PHOTO_ONLY: &str = "EPA|Getty Images";

/// Preambles that credit a source only when a plausible source name follows.
pub(super) const SOFT: &str = concat!(
    "theo|dẫn theo|dẫn nguồn|according to|as reported by|reported by|cited by|quoted by",
    "|citing|quoting|via|per|selon|d'après|según|segundo|secondo|laut|menurut|volgens",
    "|według|по данным|据|據|根据|根據|told|kepada|dijo a|declaró a|a déclaré à|a indiqué à",
    "|a dit à|phóng viên|trả lời phỏng vấn|copyright|©",
);
/// Labels after which any name is a source.
pub(super) const HARD: &str = concat!(
    "source:|sources:|nguồn:|nguồn tin:|quelle:|quellen:|fuente:|fonte:|sumber:|bron:",
    "|źródło:|kaynak:|источник:|来源:|來源:|出典:|출처:",
);
pub(super) const PHOTO: &str = concat!(
    "photo:|photos:|photo credit:|photograph:|image:|picture:|pic:|credit:|photo by",
    "|photos by|photograph by|picture by|foto von|ảnh:|ảnh minh họa:|ảnh minh hoạ:",
    "|nguồn ảnh:|foto:|fotos:|bild:|crédit photo:|crédit:|imagen:|immagine:|gambar:|фото:",
    "|写真:|图:|圖:|图片:|사진:",
);
/// Leads of the Reuters-style sign-off in parentheses or on its own line.
pub(super) const SIGN_LEADS: &str =
    "reporting by|additional reporting by|writing by|editing by|edited by|compiled by";
/// Tokens that end a story when they end a line.
pub(super) const SIGN_TOKENS: &str = "/.|(end)|(ends)|(hết)|(完)|（完）|-0-|-30-";
pub(super) const BY_LEADS: &str = concat!(
    "by|von|par|por|oleh|bài:|bài và ảnh:|tác giả:|phóng viên:|author:|authors:|autor:",
    "|auteur:|penulis:|reporter:",
);
pub(super) const BY_JOINS: &str = "and|và|und|et|y|e|dan|&";
/// Words after an agency name that make it a credit ("Reuters reported").
pub(super) const POSTFIX: &str = concat!(
    "reported|reports|đưa tin|berichtete|berichtet|meldete|meldet|zufolge|a rapporté",
    "|rapporte|informó|informa|reportó|melaporkan|memberitakan|によると|によれば|が報じた|에 따르면|보도했다",
    "|报道|報道|消息",
);
/// Nouns that introduce a publication's name ("báo Tuổi Trẻ", "the newspaper Le Monde").
pub(super) const MEDIA_NOUNS: &str = concat!(
    "báo|tờ|tờ báo|tạp chí|đài|kênh|trang|trang tin|cổng thông tin|hãng|hãng tin",
    "|hãng thông tấn|thông tấn xã|newspaper|news agency|agency|broadcaster|magazine",
    "|tabloid|daily|news site|website|journal|quotidien|hebdomadaire|agence|diario",
    "|periódico|agencia|revista|jornal|agência|quotidiano|agenzia|zeitung",
    "|nachrichtenagentur|agentur|kantor berita|harian|koran|majalah|surat khabar",
    "|agensi berita",
);
/// Last words that make a capitalized name a publication ("Global Times", "Fox News").
pub(super) const MEDIA_TAILS: &str = concat!(
    "post|times|news|herald|journal|tribune|gazette|daily|telegraph|tv|radio|press|today",
    "|online|zeitung|agency|guardian|observer|chronicle|express|mirror|mail|standard",
    "|inquirer|globe|monde|país|presse",
);
pub(super) const ARTICLES: &str =
    "the|a|an|l'|le|la|les|el|los|las|il|lo|der|die|das|dem|den|o|os|het";
/// Words right before a bare day/month that make it a date ("ngày 21/2", "on 21/2").
pub(super) const DATE_TRIGGERS: &str =
    "ngày|hôm|sáng|trưa|chiều|tối|đêm|on|dated|date|le|el|am|tanggal|pada|sejak|since";
pub(super) const RANGE_WORDS: &str = "đến|tới|to|and|và|au|al|bis|und|hingga|sampai|y|et";
/// Month names by month (space separated): en, fr, de, es, pt, it, nl, id, ms.
pub(super) const MONTHS: [&str; 12] = [
    "january jan janvier janv januar jänner enero ene janeiro gennaio januari",
    "february feb febr février févr februar febrero fevereiro febbraio februari",
    "march mar mars märz marzo março maart maret mac",
    "april apr avril abril aprile",
    "may mai mayo maio maggio mei",
    "june jun juin juni junio junho giugno",
    "july jul juillet juil juli julio julho luglio julai",
    "august aug août agosto augustus agustus ogos",
    "september sep sept septembre septiembre setiembre setembro settembre",
    "october oct octobre oktober octubre outubro ottobre",
    "november nov novembre noviembre novembro",
    "december dec décembre déc dezember diciembre dezembro dicembre desember disember",
];
