"""knowledge base, standar pelayanan of the services, SOP documents

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25

"""
from typing import Sequence

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('article_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_article_categories_code'))
    )
    op.create_table('articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=True),
    sa.Column('body_en', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('helpful_yes', sa.Integer(), nullable=False),
    sa.Column('helpful_no', sa.Integer(), nullable=False),
    sa.Column('search_vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.CheckConstraint("language IN ('id', 'en')", name=op.f('ck_articles_language')),
    sa.CheckConstraint("status <> 'published' OR published_at IS NOT NULL", name=op.f('ck_articles_published_has_time')),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_articles_status')),
    sa.CheckConstraint('helpful_yes >= 0 AND helpful_no >= 0', name=op.f('ck_articles_votes')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_articles_author_id_users')),
    sa.ForeignKeyConstraint(['category_id'], ['article_categories.id'], name=op.f('fk_articles_category_id_article_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_articles')),
    sa.UniqueConstraint('slug', name=op.f('uq_articles_slug'))
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index('ix_articles_category', ['category_id', 'status', 'published_at'], unique=False)
        batch_op.create_index('ix_articles_search', ['search_vector'], unique=False, postgresql_using='gin')
        batch_op.create_index('ix_articles_status', ['status', 'published_at'], unique=False)

    op.create_table('article_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('voter', sa.String(length=80), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_votes_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_article_votes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_votes')),
    sa.UniqueConstraint('article_id', 'voter', name=op.f('uq_article_votes_article_id_voter'))
    )
    op.create_table('sop_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('category', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_sop_documents_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sop_documents')),
    sa.UniqueConstraint('code', name=op.f('uq_sop_documents_code'))
    )
    op.create_table('sop_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_sop_versions_version')),
    sa.ForeignKeyConstraint(['document_id'], ['sop_documents.id'], name=op.f('fk_sop_versions_document_id_sop_documents')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_sop_versions_file_id_stored_files')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_sop_versions_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sop_versions')),
    sa.UniqueConstraint('document_id', 'version', name=op.f('uq_sop_versions_document_id_version'))
    )
    with op.batch_alter_table('helpdesk_services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requirements', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('procedure', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('time_limit', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('cost', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('product', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('complaints', sa.Text(), nullable=True))

    if op.get_bind().dialect.name == "postgresql":
        # Full-text search: Indonesian has no stemming configuration in PostgreSQL, so 'simple'
        # (lower-cased words); titles weigh more than bodies in ts_rank.
        op.execute("""
            CREATE FUNCTION articles_search_vector() RETURNS trigger AS $$
            BEGIN
              NEW.search_vector :=
                setweight(to_tsvector('simple', coalesce(NEW.title, '')), 'A') ||
                setweight(to_tsvector('simple', coalesce(NEW.title_en, '')), 'A') ||
                setweight(to_tsvector('simple', coalesce(NEW.body, '')), 'B') ||
                setweight(to_tsvector('simple', coalesce(NEW.body_en, '')), 'B');
              RETURN NEW;
            END
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER articles_search_vector BEFORE INSERT OR UPDATE OF title, title_en, body, body_en
            ON articles FOR EACH ROW EXECUTE FUNCTION articles_search_vector()
        """)
    _seed()


CATEGORIES = (
    ("akun", "Akun dan masuk", "Accounts and signing in", 1),
    ("aplikasi-sep", "Menggunakan aplikasi SEP", "Using the SEP application", 2),
    ("keamanan", "Keamanan dan verifikasi dua langkah", "Security and two-step verification", 3),
    ("permohonan", "Permohonan penggunaan SEP", "Applying to use SEP", 4),
)

COMPLAINTS = ("Pengaduan, saran, dan masukan atas layanan ini dapat disampaikan melalui:\n"
              "1. formulir tiket helpdesk di SEP Portal (setelah masuk);\n"
              "2. formulir helpdesk publik bagi yang tidak dapat masuk ke SEP Portal;\n"
              "3. surel ke alamat helpdesk yang tercantum pada halaman ini.\n"
              "Setiap pengaduan dicatat dengan nomor tiket dan ditindaklanjuti sesuai target waktu layanan.")
COST = "Tidak dipungut biaya."
STANDARDS = {
    "sep-aplikasi": dict(
        requirements="1. Memiliki akun SEP yang aktif pada instansi yang telah menjadi pengguna SEP.\n"
                     "2. Uraian kendala atau pertanyaan, disertai tangkapan layar bila ada.",
        procedure="1. Pengguna menyampaikan tiket melalui SEP Portal dengan memilih layanan Aplikasi SEP.\n"
                  "2. Petugas helpdesk memverifikasi dan menetapkan prioritas tiket.\n"
                  "3. Petugas menangani kendala atau meneruskannya kepada tim teknis.\n"
                  "4. Pengguna menerima jawaban atau penyelesaian melalui tiket dan surel.\n"
                  "5. Pengguna menyatakan tiket selesai dan mengisi survei kepuasan.",
        time_limit="Sesuai target waktu tanggapan pertama dan penyelesaian per prioritas, dihitung dalam "
                   "jam kerja.",
        product="Jawaban atas pertanyaan, penyelesaian gangguan aplikasi SEP, atau informasi tindak lanjut.",
    ),
    "aktivasi-akun": dict(
        requirements="1. Akun telah didaftarkan oleh Admin Pengelola instansi.\n"
                     "2. Alamat surel dinas yang aktif.",
        procedure="1. Pengguna menyampaikan tiket dengan memilih layanan Aktivasi akun.\n"
                  "2. Petugas helpdesk memeriksa status akun dan tautan aktivasi.\n"
                  "3. Petugas mengirim ulang tautan aktivasi atau memberi petunjuk kepada pengguna.\n"
                  "4. Pengguna mengaktifkan akun dan menyatakan tiket selesai.",
        time_limit="Sesuai target waktu tanggapan pertama dan penyelesaian per prioritas, dihitung dalam "
                   "jam kerja.",
        product="Akun SEP yang aktif dan dapat digunakan untuk masuk.",
    ),
    "kata-sandi-2fa": dict(
        requirements="1. Akun SEP terdaftar atas nama pengguna.\n"
                     "2. Untuk penyetelan ulang verifikasi dua langkah: konfirmasi identitas melalui "
                     "Admin Pengelola instansi.",
        procedure="1. Pengguna mencoba fitur lupa kata sandi atau kode pemulihan terlebih dahulu.\n"
                  "2. Bila belum berhasil, pengguna menyampaikan tiket dengan memilih layanan ini.\n"
                  "3. Petugas helpdesk memverifikasi identitas pengguna bersama Admin Pengelola.\n"
                  "4. Petugas menyetel ulang verifikasi dua langkah dan pengguna mendaftarkan perangkat baru.",
        time_limit="Sesuai target waktu tanggapan pertama dan penyelesaian per prioritas, dihitung dalam "
                   "jam kerja.",
        product="Akses kembali ke akun dengan kata sandi baru atau perangkat verifikasi dua langkah baru.",
    ),
    "data": dict(
        requirements="1. Akun SEP yang aktif.\n"
                     "2. Data yang benar beserta dokumen pendukung (misalnya surat keputusan jabatan) bila "
                     "diperlukan.",
        procedure="1. Pengguna menyampaikan tiket dengan memilih layanan Masalah data dan melampirkan "
                  "dokumen pendukung.\n"
                  "2. Petugas helpdesk memeriksa data bersama Admin Pengelola instansi.\n"
                  "3. Data diperbaiki oleh Admin Pengelola atau oleh petugas.\n"
                  "4. Pengguna memeriksa hasil perbaikan dan menyatakan tiket selesai.",
        time_limit="Sesuai target waktu tanggapan pertama dan penyelesaian per prioritas, dihitung dalam "
                   "jam kerja.",
        product="Data akun, unit kerja, atau jabatan yang sudah benar.",
    ),
}
ACCESS = "Melalui SEP Portal (menu Helpdesk) pada jam kerja; informasi dan artikel bantuan tersedia setiap saat."


def _seed() -> None:
    categories = sa.table("article_categories", sa.column("code"), sa.column("name"), sa.column("name_en"),
                          sa.column("position"), sa.column("active"))
    op.bulk_insert(categories, [{"code": c, "name": n, "name_en": e, "position": p, "active": True}
                                for c, n, e, p in CATEGORIES])
    services = sa.table("helpdesk_services", sa.column("code"), sa.column("requirements"), sa.column("procedure"),
                        sa.column("time_limit"), sa.column("cost"), sa.column("product"), sa.column("complaints"),
                        sa.column("manager"), sa.column("technical_manager"), sa.column("access"))
    for code, fields in STANDARDS.items():
        op.execute(services.update().where(services.c.code == code).values(
            cost=COST, complaints=COMPLAINTS,
            manager="Direktorat Layanan Aplikasi Informatika Pemerintahan",
            technical_manager="Tim Teknis SEP, Direktorat Jenderal Aplikasi Informatika",
            access=ACCESS, **fields))


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS articles_search_vector ON articles")
        op.execute("DROP FUNCTION IF EXISTS articles_search_vector()")
    with op.batch_alter_table('helpdesk_services', schema=None) as batch_op:
        batch_op.drop_column('complaints')
        batch_op.drop_column('product')
        batch_op.drop_column('cost')
        batch_op.drop_column('time_limit')
        batch_op.drop_column('procedure')
        batch_op.drop_column('requirements')

    op.drop_table('sop_versions')
    op.drop_table('sop_documents')
    op.drop_table('article_votes')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index('ix_articles_status')
        batch_op.drop_index('ix_articles_search', postgresql_using='gin')
        batch_op.drop_index('ix_articles_category')

    op.drop_table('articles')
    op.drop_table('article_categories')
