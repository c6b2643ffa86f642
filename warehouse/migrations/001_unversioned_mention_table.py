"""Data dirs made before content-addressed mentions hold raw.member_mentions as a table: it becomes
raw.mention_rows (its rows kept), which the baseline (002) expects and 003 folds into raw.mention_sets."""


def upgrade(con) -> None:
    old = con.execute("""SELECT 1 FROM information_schema.tables WHERE table_schema = 'raw'
                         AND table_name = 'member_mentions' AND table_type = 'BASE TABLE'""").fetchone()
    if old:
        con.execute("ALTER TABLE raw.member_mentions RENAME TO mention_rows")
